/**
 * What the dashboard page and /metrics show, computed from log lines alone (LogAggregator,
 * log-aggregator.ts). Times are epoch milliseconds; durations are milliseconds; rates tags per second.
 */

/** Why a line of the input was not used. */
export type SkipCause = "not_json" | "no_event" | "unknown_event" | "invalid";

export const SKIP_CAUSES: readonly SkipCause[] = ["not_json", "no_event", "unknown_event", "invalid"];

export interface BatchStates {
  pending: number;
  running: number;
  done: number;
  failed: number;
  total: number;
}

/** Tags by outcome, summed over the run's `batch.completed` lines. */
export interface TagOutcomes {
  backfilled: number;
  backfilled_broken: number;
  skipped: number;
  failed: number;
}

export interface RunView {
  id: string;
  kind: string | null;
  target: string | null;
  status: string;
  dryRun: boolean | null;
  /** From the latest `run.progress` when there is one, else from the batches seen. */
  done: number;
  total: number;
  ratePerSec: number;
  etaMs: number | null;
  batches: BatchStates;
  broken: number;
  failed: number;
  tags: TagOutcomes;
  /** `tag.broken` and `tag.failed` lines by reason. */
  byReason: Record<string, number>;
  throttle: { reason: string | null; sinceMs: number | null; totalMs: number };
  firstSeenMs: number;
  lastSeenMs: number;
}

/** One fixed time slot (BUCKET_MS wide) of the series. */
export interface BucketView {
  startMs: number;
  /** Tags settled by the batches completed in the slot (mapped, broken, failed), per second. */
  tagsPerSec: number;
  batches: number;
  /** Batch duration percentiles (nearest rank) of the slot's batches; null without a batch. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Mean time per stage of the slot's batches. */
  stages: { loadMs: number; planMs: number; signMs: number; writeMs: number };
  retries: number;
  failures: number;
}

export interface ErrorLine {
  timeMs: number;
  level: string;
  event: string;
  runId: string | null;
  batchId: string | null;
  message: string;
}

export interface ThrottlePeriod {
  runId: string;
  startMs: number;
  /** Null while the throttle lasts. */
  endMs: number | null;
  reason: string;
}

export interface WorkerView {
  host: string;
  pid: number;
  actor: string | null;
  held: number;
  lastBatchAtMs: number | null;
  /** Its pacer's rest per unit of batch time (`pace.changed`); 0 before any. */
  restRatio: number;
  lastSeenMs: number;
  /** `lost`: silent for longer than three heartbeat intervals without having said it stopped. */
  state: "alive" | "lost" | "stopped";
}

export interface DashboardModel {
  nowMs: number;
  /** Time of the newest line read; null before any. */
  lastLineMs: number | null;
  lines: { read: number; used: number; skipped: Record<SkipCause, number> };
  runs: RunView[];
  series: BucketView[];
  bucketMs: number;
  batchDuration: { count: number; p50Ms: number | null; p95Ms: number | null };
  retries: number;
  failures: number;
  latestErrors: ErrorLine[];
  throttles: ThrottlePeriod[];
  workers: WorkerView[];
}
