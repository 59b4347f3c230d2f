import type { ThrottlePeriod } from "./dashboard-model.js";
import type { LogLine } from "./parse-log-line.js";
import type { RunState } from "./run-state.js";
import type { BatchTiming } from "./time-series.js";

/** What a line about a run means beyond the run itself: the series and lists the aggregator keeps. */
export interface RunLineEffects {
  batch?: BatchTiming;
  retry?: true;
  failure?: true;
  throttleStarted?: ThrottlePeriod;
  throttleEnded?: { runId: string; reason: string; durationMs: number };
}

/** Takes one line carrying a `runId` into its run's state; returns what else it means, if anything. */
export function applyRunLine(run: RunState, line: LogLine): RunLineEffects | undefined {
  if (line.event === "run.started" || line.event === "run.resumed") {
    const f = line.fields;
    run.kind = f.kind;
    run.target = f.target;
    run.dryRun = f.dryRun;
    run.totalTags = f.totalTags;
    if (line.event === "run.started") run.batchesCut = f.batches;
    run.status = "running";
  } else if (line.event === "run.paused" || line.event === "run.cancelled" || line.event === "run.waiting") {
    run.status = line.fields.status;
  } else if (line.event === "run.completed") {
    const f = line.fields;
    run.status = f.status;
    run.kind = f.kind;
    run.dryRun = f.dryRun;
    run.totalTags = f.totalTags;
    run.finalBatches = { ...f.batches };
  } else if (line.event === "run.progress") {
    takeProgress(run, line);
  } else if (line.event === "throttle.started") {
    run.throttleReason = line.fields.reason;
    run.throttledSinceMs = line.timeMs;
    return {
      throttleStarted: { runId: run.id, startMs: line.timeMs, endMs: null, reason: line.fields.reason },
    };
  } else if (line.event === "throttle.ended") {
    run.throttleReason = null;
    run.throttledSinceMs = null;
    run.throttledMs = Math.max(run.throttledMs, line.fields.totalMs);
    return {
      throttleEnded: { runId: run.id, reason: line.fields.reason, durationMs: line.fields.durationMs },
    };
  } else {
    return applyBatchLine(run, line);
  }
  return undefined;
}

function applyBatchLine(run: RunState, line: LogLine): RunLineEffects | undefined {
  if (line.event === "batch.completed") {
    const f = line.fields;
    run.batchesCompleted++;
    run.tags.backfilled += f.counts.backfilled;
    run.tags.backfilled_broken += f.counts.backfilled_broken;
    run.tags.skipped += f.counts.skipped;
    run.tags.failed += f.counts.failed;
    const tags = f.counts.backfilled + f.counts.backfilled_broken + f.counts.failed;
    const { durationMs, loadMs, planMs, signMs, writeMs } = f;
    return { batch: { tags, durationMs, loadMs, planMs, signMs, writeMs } };
  }
  if (line.event === "batch.retrying") return { retry: true };
  if (line.event === "batch.failed") {
    run.batchesFailed++;
    return { failure: true };
  }
  if (line.event === "tag.broken") run.reason(line.fields.reason);
  if (line.event === "tag.failed") run.reason(line.fields.reason ?? "failed");
  return undefined;
}

/** The newest `run.progress` reading wins (lines of several processes may interleave out of order). */
function takeProgress(run: RunState, line: Extract<LogLine, { event: "run.progress" }>): void {
  const f = line.fields;
  if (f.status !== undefined) run.status = f.status;
  if (f.kind !== undefined) run.kind = f.kind;
  if (f.target !== undefined) run.target = f.target;
  if (f.done === undefined || f.total === undefined) return;
  if (run.progress && run.progress.timeMs > line.timeMs) return;
  const done = f.batchesDone;
  const total = f.batchesTotal;
  const failed = f.batchesFailed ?? run.batchesFailed;
  const running = f.batchesRunning ?? 0;
  run.progress = {
    timeMs: line.timeMs,
    done: f.done,
    total: f.total,
    ratePerSec: f.ratePerSec ?? 0,
    etaMs: f.etaMs ?? null,
    broken: f.broken,
    failed: f.failed,
    throttledMs: f.throttledMs,
    batches:
      done === undefined || total === undefined
        ? null
        : {
            pending: f.batchesPending ?? Math.max(0, total - done - failed - running),
            running,
            done,
            failed,
            total,
          },
  };
  if (f.throttleReason !== undefined && f.throttleReason !== run.throttleReason) {
    run.throttleReason = f.throttleReason;
    run.throttledSinceMs = f.throttleReason === null ? null : (run.throttledSinceMs ?? line.timeMs);
  }
}
