import { asNumber, type VariableSpec } from "./config-variable.js";

export type ProbeConfigKey = "maxProbeLatencyMs" | "maxCommitLatencyMs" | "pacing" | "pacingSlowedShare";

/** The throttle's database response-time and commit-latency signals (src/run/probe-latency.ts); 0 is off. */
export interface ProbeConfig {
  readonly maxProbeLatencyMs: number;
  readonly maxCommitLatencyMs: number;
  /** The pacer (src/run/pacer.ts): rest after each batch by what a durable commit beside it goes through. */
  readonly pacing: boolean;
  /** The share of the time the pacer lets the application's commits be slowed (src/run/pace-rules.ts). */
  readonly pacingSlowedShare: number;
}

/**
 * The probes' variables (README, "Throttling"): the median time of the checker's probe queries, and of its
 * durable commits, above which the backfill holds back. The response time is on by default at a line a
 * healthy server never reaches (README: measured at about 1 ms median, 10 ms at the 99th percentile, on a
 * loaded shared machine); the commit latency is off unless set, as its line depends on the WAL device.
 */
export function probeVariables(): Record<string, VariableSpec<ProbeConfigKey>> {
  return {
    BACKFILL_MAX_PROBE_LATENCY_MS: millisecondsOrOff("maxProbeLatencyMs", "median probe query time", 50),
    BACKFILL_MAX_COMMIT_LATENCY_MS: millisecondsOrOff("maxCommitLatencyMs", "median durable-commit time", 0),
    BACKFILL_PACING: {
      key: "pacing",
      schema: { type: "boolean" },
      expected:
        "on or off (on: while the application is busy, rest after each batch so that its commits stay fast)",
      parse: (raw) => onOff(raw.trim().toLowerCase()),
      fallback: true,
    },
    BACKFILL_PACING_SLOWED_SHARE: {
      key: "pacingSlowedShare",
      schema: { type: "number", exclusiveMinimum: 0, maximum: 1 },
      expected:
        "a fraction > 0 and <= 1 (the share of the time the pacer lets the application's commits be slowed past 1.5x their uncontended p99)",
      parse: asNumber,
      fallback: 0.03,
    },
  };
}

/** A probe's line in milliseconds, 0 to 60000; `0` or `off`: not probed. */
function millisecondsOrOff(
  key: ProbeConfigKey,
  what: string,
  fallback: number,
): VariableSpec<ProbeConfigKey> {
  return {
    key,
    schema: { type: "number", minimum: 0, maximum: 60_000 },
    expected: `a number of milliseconds from 0 to 60000 (${what} that throttles; 0 or "off": not probed)`,
    parse: (raw) => (raw.trim().toLowerCase() === "off" ? 0 : asNumber(raw)),
    fallback,
  };
}

function onOff(raw: string): unknown {
  if (raw === "on" || raw === "true" || raw === "1") return true;
  if (raw === "off" || raw === "false" || raw === "0") return false;
  return raw;
}
