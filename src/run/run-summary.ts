import type { BatchProgress } from "../db/batch-progress.js";
import type { RunRow } from "../db/tables.js";
import { formatDuration, type ProgressEstimate } from "./progress-meter.js";
import { formatRate } from "./run-rate.js";
import { formatRows } from "../text-table.js";

export interface PassVerdict {
  ok: boolean;
  /** Why the pass is not a success, in words that say what to do next. */
  reason: string | null;
}

/** exit 0 only when every candidate of the run ended mapped (broken ones included). */
export function passVerdict(
  run: Pick<RunRow, "id" | "status" | "error" | "dry_run">,
  progress: BatchProgress,
  remaining: number,
  interrupted: boolean,
): PassVerdict {
  const id = String(run.id);
  if (interrupted) {
    return { ok: false, reason: `interrupted; run ${id} stays active: \`backfill run\` again resumes it` };
  }
  if (run.status === "paused") return { ok: false, reason: `run ${id} is paused: \`backfill resume ${id}\`` };
  if (run.status === "cancelled") return { ok: false, reason: `run ${id} was cancelled` };
  if (run.status === "failed") return { ok: false, reason: run.error ?? `run ${id} failed` };
  if (progress.tags.failed > 0) {
    return {
      ok: false,
      reason: `${progress.tags.failed} tag(s) failed and stay unmapped: \`backfill status --run ${id}\` lists reasons`,
    };
  }
  if (!run.dry_run && remaining > 0) {
    return { ok: false, reason: `${remaining} candidate tag(s) in the run's range are still unmapped` };
  }
  return { ok: true, reason: null };
}

/** The human summary printed at the end of `backfill run`. */
export function formatRunSummary(
  run: RunRow,
  progress: BatchProgress,
  durationMs: number,
  verdict: PassVerdict,
  estimate: ProgressEstimate,
): string {
  const t = progress.tags;
  const lines = [
    `run ${String(run.id)} (${run.kind}${run.dry_run ? ", dry run" : ""}, target ${run.target}): ${run.status}`,
    `  tags        ${t.done} of ${run.total_tags ?? 0} in ${formatDuration(durationMs)} (${formatRate(estimate.ratePerSec)})`,
    `  backfilled  ${t.backfilled}`,
    `  broken      ${t.backfilled_broken}`,
    `  skipped     ${t.skipped}`,
    `  failed      ${t.failed}`,
    `  batches     ${progress.batches.done} done, ${progress.batches.failed} failed, ${progress.batches.pending + progress.batches.running} open`,
  ];
  const reasons = Object.entries(progress.byReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    lines.push("  reasons", ...formatRows(reasons, "    "));
  }
  if (progress.wouldWrite && Object.keys(progress.wouldWrite).length > 0) {
    lines.push("  would write", ...formatRows(Object.entries(progress.wouldWrite).sort(), "    "));
  }
  lines.push(verdict.ok ? "  result      ok" : `  result      NOT OK: ${verdict.reason ?? "unknown"}`);
  return `${lines.join("\n")}\n`;
}
