import type { RunRow } from "../db/tables.js";
import type { LogEventFields } from "../log-events/log-events.js";

/** What a run records of its adaptive batch size, as `run.started` / `run.resumed` log it. */
export interface AdaptiveHeader {
  targetBatchMs: number;
  minBatchSize: number;
  maxBatchSize: number;
  heapMaxBatchSize?: number;
}

/** The adaptive bounds recorded in the run's configuration (adaptive-bounds.ts); absent for older runs. */
export function adaptiveHeader(run: RunRow): AdaptiveHeader | undefined {
  const c = (run.config ?? {}) as Record<string, unknown>;
  const { targetBatchMs, minBatchSize, maxBatchSize, heapMaxBatchSize } = c;
  if (typeof targetBatchMs !== "number" || typeof minBatchSize !== "number") return undefined;
  if (typeof maxBatchSize !== "number") return undefined;
  return {
    targetBatchMs,
    minBatchSize,
    maxBatchSize,
    ...(typeof heapMaxBatchSize === "number" ? { heapMaxBatchSize } : {}),
  };
}

/** The fields of `run.started` and `run.resumed` (src/log-events/run-events.ts). */
export function runHeader(run: RunRow, batches: number, concurrency?: number): LogEventFields<"run.started"> {
  const adaptive = adaptiveHeader(run);
  return {
    runId: String(run.id),
    kind: run.kind,
    target: run.target,
    dryRun: run.dry_run,
    totalTags: run.total_tags ?? 0,
    batches,
    batchSize: run.batch_size,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(adaptive ? { adaptive } : {}),
  };
}
