import type { RunClockEvent } from "../db/load-run-clock.js";
import type { ProgressEstimate } from "./progress-meter.js";

/** What the rate of a run is computed from: its tag counts and its state history. */
export interface RunRateInput {
  /** Tags the run mapped so far (backfilled, BROKEN placeholders included). */
  mapped: number;
  /** Candidate tags settled so far (mapped, skipped or failed): what the ETA counts down from. */
  done: number;
  total: number;
  /** The run's state changes, in time order. */
  events: readonly RunClockEvent[];
  /** Now, or the end of the last interval for a run that has ended. */
  nowMs: number;
  /** Running time spent throttled (no batch claimed on purpose): not counted, like paused time. */
  throttledMs?: number;
}

/**
 * Wall time the run spent running: from each change into `running` to the next change (or now). Time
 * before it started, while paused, and after it ended does not count.
 */
export function runningMs(events: readonly RunClockEvent[], nowMs: number): number {
  let total = 0;
  let since: number | undefined;
  for (const e of events) {
    if (since !== undefined) total += Math.max(0, e.atMs - since);
    since = e.to === "running" ? e.atMs : undefined;
  }
  if (since !== undefined) total += Math.max(0, nowMs - since);
  return total;
}

/**
 * THE rate of a run, shown by the progress bar, the run summary, `status` and the `run.progress` log:
 * tags mapped per second of wall time while the run was running, rounded to 0.1. The ETA is the tags
 * left at that rate; null while nothing has been measured or when the run is not running.
 */
export function runRate(input: RunRateInput): ProgressEstimate & { runningMs: number } {
  const ms = Math.max(0, runningMs(input.events, input.nowMs) - (input.throttledMs ?? 0));
  const ratePerSec = ms > 0 ? Math.round((input.mapped * 10_000) / ms) / 10 : 0;
  const remaining = Math.max(0, input.total - input.done);
  const running = input.events.at(-1)?.to === "running";
  const etaMs =
    remaining === 0 ? 0 : running && ratePerSec > 0 ? Math.round((remaining / ratePerSec) * 1000) : null;
  return { done: input.done, total: input.total, ratePerSec, etaMs, runningMs: ms };
}

/** `263.4 tags/s`: the one way a rate is printed. */
export function formatRate(ratePerSec: number): string {
  return `${ratePerSec.toFixed(1)} tags/s`;
}

/** The rate and ETA of a run from its ledger reading (batch counts) and its state history. */
export function estimateRun(
  totalTags: number | null,
  tags: { backfilled: number; backfilled_broken: number; done: number },
  events: readonly RunClockEvent[],
  nowMs: number,
  throttledMs = 0,
): ProgressEstimate & { runningMs: number } {
  return runRate({
    throttledMs,
    mapped: tags.backfilled + tags.backfilled_broken,
    done: tags.done,
    total: Math.max(totalTags ?? 0, tags.done),
    events,
    nowMs,
  });
}
