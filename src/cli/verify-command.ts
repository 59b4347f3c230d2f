import type { Command } from "commander";
import { resolveVerifyScope } from "../db/verify-scope.js";
import { createVerifySource } from "../db/verify-source.js";
import { UsageError } from "../errors.js";
import { parseNamespace, parseRepositoryRef } from "../repository-ref.js";
import { verifyReportJson, verifyReportTable } from "../verify/format-verify-report.js";
import { runVerify } from "../verify/run-verify.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT, intOption } from "./command-runner.js";

interface VerifyFlags {
  repository?: string;
  namespace?: string;
  sample?: number;
  chunkSize: number;
  json?: boolean;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description(
      "Check every mapped tag against its legacy rows (docs/domain-rules.md) and look for unmapped tags and orphan rows; exit 1 when anything fails. The gate before dropping the legacy tables.",
    )
    .option("--repository <ns/repo>", "only this repository")
    .option("--namespace <name>", "only this namespace's repositories")
    .option("--sample <n>", "check a deterministic random sample of n mapped tags", intOption("--sample", 1))
    .option(
      "--chunk-size <n>",
      "mapped tags per chunk (bounds memory)",
      intOption("--chunk-size", 1, 10000),
      1000,
    )
    .option("--json", "print the report as JSON")
    .action(
      action(async (flags: VerifyFlags) => {
        if (flags.repository !== undefined) parseRepositoryRef(flags.repository);
        if (flags.namespace !== undefined) parseNamespace(flags.namespace);
        const rt = openRuntime();
        try {
          const db = rt.database({ max: 4, applicationName: "backfill-verify", guards: "read-only" });
          await rt.checkQuaySchema();
          await rt.checkPrivileges(["read"]);
          const lookup = await resolveVerifyScope(db, flags);
          if (!lookup.found) throw new UsageError(`${lookup.missing} does not exist`);
          const progress = process.stderr.isTTY
            ? ({ checkedTags, totalTags }: { checkedTags: number; totalTags: number }) =>
                process.stderr.write(`\rverify: ${checkedTags}/${totalTags} tags`)
            : undefined;
          const report = await runVerify(createVerifySource(db, lookup.scope), {
            chunkSize: flags.chunkSize,
            ...(flags.sample === undefined ? {} : { sample: flags.sample }),
            ...ourKeyId(await rt.keyId()),
            ...(progress ? { onProgress: progress } : {}),
          });
          if (progress) process.stderr.write("\n");
          process.stdout.write(flags.json ? verifyReportJson(report) + "\n" : verifyReportTable(report));
          return report.failing ? EXIT.failed : EXIT.ok;
        } finally {
          await rt.close();
        }
      }),
    );
}

/**
 * The operator's key id tells this project's manifests from Quay's. Only the public half is used; a key
 * that cannot be read just leaves it unknown (verify then relies on the outcome and the layout).
 */
function ourKeyId(kid: string | undefined): { ourKeyId?: string } {
  return kid === undefined ? {} : { ourKeyId: kid };
}
