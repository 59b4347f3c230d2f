import { asNumber, type VariableSpec } from "./config-variable.js";

export type ProbeConfigKey = "maxProbeLatencyMs" | "maxCommitLatencyMs";

/** The throttle's database response-time and commit-latency signals (src/run/probe-latency.ts); 0 is off. */
export interface ProbeConfig {
  readonly maxProbeLatencyMs: number;
  readonly maxCommitLatencyMs: number;
}

/**
 * The response-time signal's variable (README, "Throttling"): the median time of the checker's probe
 * queries above which the backfill holds back. On by default at a line a healthy server never reaches
 * (README: measured at about 1 ms median, 10 ms at the 99th percentile, on a loaded shared machine).
 */
export function probeVariables(): Record<string, VariableSpec<ProbeConfigKey>> {
  return {
    BACKFILL_MAX_PROBE_LATENCY_MS: {
      key: "maxProbeLatencyMs",
      schema: { type: "number", minimum: 0, maximum: 60_000 },
      expected:
        'a number of milliseconds from 0 to 60000 (median probe query time that throttles; 0 or "off": not probed)',
      parse: (raw) => (raw.trim().toLowerCase() === "off" ? 0 : asNumber(raw)),
      fallback: 50,
    },
    BACKFILL_MAX_COMMIT_LATENCY_MS: {
      key: "maxCommitLatencyMs",
      schema: { type: "number", minimum: 0, maximum: 60_000 },
      expected:
        'a number of milliseconds from 0 to 60000 (median durable-commit time that throttles; 0 or "off": not probed)',
      parse: (raw) => (raw.trim().toLowerCase() === "off" ? 0 : asNumber(raw)),
      // Off unless set: the right line depends on the WAL device (README, "Throttling").
      fallback: 0,
    },
  };
}
