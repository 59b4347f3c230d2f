import { generateKeyPairSync } from "node:crypto";
import type { Command } from "commander";
import type { Kysely } from "kysely";
import { planBatch } from "../backfill/plan-batch.js";
import { findTagById, findTagByName, type FoundTag } from "../db/explain-find-tag.js";
import { loadExplainFacts } from "../db/explain-load-facts.js";
import type { Database } from "../db/tables.js";
import { loadManifestBlobs } from "../db/verify-load-manifest-blobs.js";
import { loadManifestBytes } from "../db/verify-load-manifest-bytes.js";
import { loadMappedTags } from "../db/verify-load-mapped-tags.js";
import { NotFoundError, UsageError } from "../errors.js";
import { parseRepositoryRef } from "../repository-ref.js";
import { createSigner, type Signer } from "../manifest/signer.js";
import { explainTag, type ExplainReport } from "../explain/explain-tag.js";
import { explainJson, explainText } from "../explain/format-explain.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT, intOption } from "./command-runner.js";

interface ExplainFlags {
  tagId?: number;
  json?: boolean;
  showManifest?: boolean;
}

export type TagRef = { id: number } | { namespace: string; repository: string; tag: string };

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

export interface ExplainOptions {
  signer: Signer | undefined;
  libraryNamespace: string;
  manifestMaxBytes: number;
  showManifest: boolean;
  nowTs: number;
}

/**
 * Everything `explain` shows, read in one READ ONLY transaction (so it cannot write, whatever a loader
 * does) and planned by the batch core's own planner. Without the operator's key a throwaway one signs:
 * digest and size are a real run's, the signature bytes are not.
 */
export async function buildExplainReport(
  db: Kysely<Database>,
  ref: TagRef,
  options: ExplainOptions,
): Promise<ExplainReport> {
  return db
    .transaction()
    .setAccessMode("read only")
    .execute(async (trx) => {
      const lookup =
        "id" in ref
          ? await findTagById(trx, ref.id, options.nowTs)
          : await findTagByName(trx, ref, options.nowTs);
      if (!lookup.found) throw new NotFoundError(`${lookup.missing}; check the name or use --tag-id`);
      const found = lookup.tag;
      const { tag, facts } = await loadExplainFacts(trx, found.id);
      const notes: string[] = [];
      let signer = options.signer;
      if (signer === undefined) {
        signer = createSigner(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
        notes.push(
          "BACKFILL_SIGNING_KEY_FILE is not set: a throwaway RSA key signed the planned manifest (digest and size as a real run with a 2048-bit RSA key; signature bytes differ)",
        );
      }
      const { plans } = await planBatch(facts, {
        signer,
        libraryNamespace: options.libraryNamespace,
        manifestMaxBytes: options.manifestMaxBytes,
        force: false,
      });
      const plan = plans[0];
      if (plan === undefined) throw new Error(`the planner returned nothing for tag ${found.id}`);
      const [mapped] = tag.mapped ? await loadMappedTags(trx, { ids: [found.id] }, {}) : [];
      let writtenManifest: { bytes: string; blobs: number } | null = null;
      const manifestId = mapped?.manifest?.id;
      if (manifestId !== undefined) {
        const bytes = (await loadManifestBytes(trx, [manifestId])).get(manifestId) ?? "";
        const blobs = (await loadManifestBlobs(trx, [manifestId])).get(manifestId)?.length ?? 0;
        writtenManifest = { bytes, blobs };
      }
      return explainTag({
        tag,
        picked: pickedNote(found, "id" in ref),
        alive: found.alive,
        facts,
        plan,
        mapped: mapped ?? null,
        writtenManifest,
        showManifest: options.showManifest,
        notes,
      });
    });
}

function pickedNote(found: FoundTag, byId: boolean): string | null {
  if (found.sameName <= 1) return null;
  if (byId) return `${found.sameName} repositorytag rows carry this name; this is #${found.id}`;
  return found.alive
    ? `picked the live row #${found.id} of ${found.sameName} with this name (the others ended); use --tag-id for another`
    : `no live row: picked the most recent #${found.id} of ${found.sameName} with this name; use --tag-id for another`;
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
        const db = rt.database({ max: 1, applicationName: "backfill-explain" });
        try {
          const report = await buildExplainReport(db, ref, {
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
