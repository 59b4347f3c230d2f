import type { RunRow } from "../db/tables.js";
import { errorMessage } from "../error-message.js";
import type { SignalReading } from "./throttle-decision.js";
import { insideWindow, parseWindow, windowReason, type TimeWindow } from "./time-window.js";

/** What a run sets for itself (backfill.run, migration 0006; `run --window`, `backfill tune`). */
export interface RunThrottleOverrides {
  /** Throttled outside it. A stored window that cannot be read throttles too, with the error. */
  window?: TimeWindow | { unreadable: string } | undefined;
  /** Replaces BACKFILL_MAX_REPLICA_LAG_SECONDS for this run. */
  maxReplicaLagS?: number | undefined;
}

/** The run row's overrides. */
export function runThrottleOverrides(
  run: Pick<RunRow, "time_window" | "time_zone" | "max_replica_lag_s">,
): RunThrottleOverrides {
  const overrides: RunThrottleOverrides = {};
  if (run.max_replica_lag_s !== null) overrides.maxReplicaLagS = run.max_replica_lag_s;
  if (run.time_window !== null) {
    try {
      overrides.window = parseWindow(run.time_window, run.time_zone ?? "UTC");
    } catch (err) {
      overrides.window = { unreadable: `${run.time_window} ${run.time_zone ?? ""}: ${errorMessage(err)}` };
    }
  }
  return overrides;
}

/** The window as a throttle signal: a flag raised outside it, whose label is the reason. */
export function windowReading(
  window: NonNullable<RunThrottleOverrides["window"]>,
  atMs: number,
): SignalReading {
  if ("unreadable" in window) {
    return {
      name: "window",
      label: "window unreadable",
      value: 1,
      unit: "flag",
      max: 0,
      detail: window.unreadable,
    };
  }
  return {
    name: "window",
    label: windowReason(window),
    value: insideWindow(window, atMs) ? 0 : 1,
    unit: "flag",
    max: 0,
  };
}

/** The signals with the run's own replica-lag line in place of the process's. */
export function withRunLagLine(signals: readonly SignalReading[], maxReplicaLagS: number): SignalReading[] {
  return signals.map((s) => (s.name === "replay_lag" ? { ...s, max: maxReplicaLagS } : s));
}
