import { plural } from "../text-table.js";
import type { VerifyReport } from "./run-verify.js";

/** The `--json` document: stable field names, one entry per problem class found. */
export function verifyReportJson(report: VerifyReport): string {
  return JSON.stringify(
    {
      ok: !report.failing,
      checkedTags: report.checkedTags,
      chunks: report.chunks,
      sample: report.sample,
      problems: report.problems,
    },
    null,
    2,
  );
}

/** The human table: one block per class with its count and examples, then the verdict. */
export function verifyReportTable(report: VerifyReport): string {
  const lines: string[] = [];
  const scope = report.sample === null ? "all mapped tags" : `a sample of ${report.sample}`;
  lines.push(
    `checked ${plural(report.checkedTags, "mapped tag")} (${scope}) in ${plural(report.chunks, "chunk")}`,
  );
  if (report.problems.length === 0) {
    lines.push("no problems found: the mapping is complete and consistent");
    return lines.join("\n") + "\n";
  }
  const width = Math.max(...report.problems.map((p) => p.code.length), 4);
  lines.push("", `${"CODE".padEnd(width)}  SEVERITY  COUNT  SUMMARY`);
  for (const problem of report.problems) {
    lines.push(
      `${problem.code.padEnd(width)}  ${problem.severity.padEnd(8)}  ${String(problem.count).padStart(5)}  ${problem.summary}`,
    );
    for (const example of problem.examples) {
      const where = [
        example.repositoryTagId === null ? undefined : `#${example.repositoryTagId}`,
        example.tag ?? undefined,
      ]
        .filter((part) => part !== undefined)
        .join(" ");
      lines.push(`${"".padEnd(width)}    ${where ? `${where}: ` : ""}${example.detail}`);
    }
  }
  lines.push(
    "",
    report.failing
      ? "FAILED: fix or reprocess the tags above before dropping the legacy tables"
      : "passed: only notices (data that was never ours to change)",
  );
  return lines.join("\n") + "\n";
}
