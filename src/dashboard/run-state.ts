import type { BatchStates, RunView, TagOutcomes } from "./dashboard-model.js";

/** Reasons kept per run; more distinct ones (a foreign log) are counted under `other`. */
const MAX_REASONS = 100;

/** What the log said of one run so far; `view()` turns it into the page's figures. */
export class RunState {
  kind: string | null = null;
  target: string | null = null;
  status = "running";
  dryRun: boolean | null = null;
  totalTags: number | null = null;
  batchesCut: number | null = null;
  readonly tags: TagOutcomes = { backfilled: 0, backfilled_broken: 0, skipped: 0, failed: 0 };
  batchesCompleted = 0;
  batchesFailed = 0;
  readonly byReason: Record<string, number> = {};
  throttleReason: string | null = null;
  throttledSinceMs: number | null = null;
  throttledMs = 0;
  /** The latest `run.progress` reading (by line time) and `run.completed`'s batches. */
  progress: ProgressReading | null = null;
  finalBatches: BatchStates | null = null;
  lastSeenMs: number;

  constructor(
    readonly id: string,
    readonly firstSeenMs: number,
  ) {
    this.lastSeenMs = firstSeenMs;
  }

  seen(timeMs: number): void {
    if (timeMs > this.lastSeenMs) this.lastSeenMs = timeMs;
  }

  reason(reason: string): void {
    const key = reason in this.byReason || Object.keys(this.byReason).length < MAX_REASONS ? reason : "other";
    this.byReason[key] = (this.byReason[key] ?? 0) + 1;
  }

  view(): RunView {
    const p = this.progress;
    const settled = this.tags.backfilled + this.tags.backfilled_broken + this.tags.failed;
    const total = p?.total ?? Math.max(this.totalTags ?? 0, settled);
    return {
      id: this.id,
      kind: this.kind,
      target: this.target,
      status: this.status,
      dryRun: this.dryRun,
      // Progress readings lag the batches logged after them; both only grow, so the larger is the newer.
      done: Math.max(p?.done ?? 0, settled),
      total,
      ratePerSec: p?.ratePerSec ?? this.#derivedRate(),
      etaMs: p && this.status === "running" ? p.etaMs : null,
      batches: this.#batches(),
      broken: Math.max(p?.broken ?? 0, this.tags.backfilled_broken),
      failed: Math.max(p?.failed ?? 0, this.tags.failed),
      tags: { ...this.tags },
      byReason: { ...this.byReason },
      throttle: {
        reason: this.throttleReason,
        sinceMs: this.throttledSinceMs,
        totalMs: Math.max(this.throttledMs, p?.throttledMs ?? 0),
      },
      firstSeenMs: this.firstSeenMs,
      lastSeenMs: this.lastSeenMs,
    };
  }

  /** Without a progress line: tags mapped per second between the first and the last line of the run. */
  #derivedRate(): number {
    const ms = this.lastSeenMs - this.firstSeenMs;
    const mapped = this.tags.backfilled + this.tags.backfilled_broken;
    return ms > 0 ? Math.round((mapped * 10_000) / ms) / 10 : 0;
  }

  #batches(): BatchStates {
    if (this.finalBatches) return { ...this.finalBatches };
    const b = this.progress?.batches;
    if (b) return { ...b };
    const done = this.batchesCompleted;
    const failed = this.batchesFailed;
    const total = Math.max(this.batchesCut ?? 0, done + failed);
    return { pending: total - done - failed, running: 0, done, failed, total };
  }
}

export interface ProgressReading {
  timeMs: number;
  done: number;
  total: number;
  ratePerSec: number;
  etaMs: number | null;
  broken: number | undefined;
  failed: number | undefined;
  throttledMs: number | undefined;
  batches: BatchStates | null;
}
