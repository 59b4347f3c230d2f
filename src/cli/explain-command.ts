import type { Command } from "commander";
import { createExplainSource } from "../db/explain-source.js";
import { UsageError } from "../errors.js";
import { parseRepositoryRef } from "../repository-ref.js";
import { buildExplainReport } from "../explain/build-explain-report.js";
import { explainJson, explainText } from "../explain/format-explain.js";
import type { TagRef } from "../explain/tag-lookup.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT, intOption } from "./command-runner.js";

interface ExplainFlags {
  tagId?: number;
  json?: boolean;
  showManifest?: boolean;
}

/**
 * `ns/repo:tag`: the tag after the last `:`, the repository before it read as every command reads one
 * (parseRepositoryRef), so any name Quay stored can be asked about.
 */
export function parseTagRef(text: string): TagRef {
  const colon = text.lastIndexOf(":");
  const tag = text.slice(colon + 1);
  if (colon < 0 || tag === "" || tag.includes("/")) {
    throw new UsageError(`expected ns/repo:tag, got ${JSON.stringify(text)}`);
  }
  const { namespace, name } = parseRepositoryRef(text.slice(0, colon), "explain");
  return { namespace, repository: name, tag };
}

export function registerExplainCommand(program: Command): void {
  program
    .command("explain")
    .description(
      "Show what the backfill does (or did) with one tag: its chain as loaded, every defect, the manifest, rewritten ids, the outcome and reason, and for a mapped tag the rows written. Writes nothing.",
    )
    .argument("[ns/repo:tag]", "the tag by name (the live one, else the most recent)")
    .option("--tag-id <n>", "the repositorytag id instead of a name", intOption("--tag-id", 1, 2147483647))
    .option("--json", "print the explanation as JSON")
    .option("--show-manifest", "include the manifest bytes")
    .action(
      action(async (name: string | undefined, flags: ExplainFlags) => {
        if ((name === undefined) === (flags.tagId === undefined)) {
          throw new UsageError("give a tag as ns/repo:tag or --tag-id N (one of them)");
        }
        const ref: TagRef = flags.tagId !== undefined ? { id: flags.tagId } : parseTagRef(name ?? "");
        const rt = openRuntime();
        const config = rt.config;
        const signer = await rt.signer();
        const db = rt.database({ max: 1, applicationName: "backfill-explain", guards: "read-only" });
        try {
          await rt.checkQuaySchema();
          await rt.checkPrivileges(["read"]);
          const report = await buildExplainReport(createExplainSource(db), ref, {
            signer,
            libraryNamespace: config.libraryNamespace,
            manifestMaxBytes: config.manifestMaxBytes,
            showManifest: flags.showManifest === true,
            nowTs: Math.floor(Date.now() / 1000),
          });
          process.stdout.write(flags.json ? explainJson(report) + "\n" : explainText(report));
          return EXIT.ok;
        } finally {
          await rt.close();
        }
      }),
    );
}
