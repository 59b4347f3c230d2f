import type { BatchProgress } from "../db/batch-progress.js";
import type { RunRow } from "../db/tables.js";
import type { ProgressEstimate } from "./progress-meter.js";

/** A run as `run --json` and `status --json` print it: the same fields, the same rate. */
export function runReport(
  run: RunRow,
  progress: BatchProgress,
  estimate: ProgressEstimate & { runningMs?: number },
) {
  return {
    id: String(run.id),
    kind: run.kind,
    status: run.status,
    target: run.target,
    dryRun: run.dry_run,
    filters: run.filters,
    batchSize: run.batch_size,
    totalTags: run.total_tags ?? 0,
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    error: run.error,
    batches: progress.batches,
    tags: progress.tags,
    byReason: progress.byReason,
    ...(Object.keys(progress.wouldWrite).length > 0 ? { wouldWrite: progress.wouldWrite } : {}),
    runningMs: estimate.runningMs ?? null,
    ratePerSec: estimate.ratePerSec,
    etaMs: estimate.etaMs,
  };
}

export type RunReport = ReturnType<typeof runReport>;
