/**
 * The throttle decision on plain readings (no I/O), after gh-ost's and pt-online-schema-change's
 * throttling: a signal past its threshold holds new batches back, and once holding it keeps holding until
 * it is back under `resumeAt` of the threshold, so a value hovering at the line does not flap. A signal
 * past its critical threshold asks for the run to be paused.
 */

/** How a reading's value is read and printed. `flag` is 1 (raised) or 0, with `detail` saying why. */
export type SignalUnit = "seconds" | "milliseconds" | "count" | "fraction" | "bytes_per_second" | "flag";

export interface SignalReading {
  /** Stable key, e.g. `replay_lag`: the hysteresis remembers signals by it. */
  name: string;
  /** What people read, e.g. `replay lag`. */
  label: string;
  value: number;
  unit: SignalUnit;
  /** Throttle above this; the signal is off when undefined. */
  max: number | undefined;
  /** Pause the run above this; no critical tier when undefined. */
  critical?: number | undefined;
  detail?: string;
}

export type ThrottleTier = "clear" | "throttle" | "critical";

export interface ThrottleVerdict {
  tier: ThrottleTier;
  /** Every signal over its line, in words, e.g. `replay lag 3.1 s > 1 s`; empty when clear. */
  reason: string;
  /** The names of the signals holding now: the next decision's hysteresis. */
  holding: string[];
}

export const CLEAR: ThrottleVerdict = { tier: "clear", reason: "", holding: [] };

/** The default hysteresis: resume below 80% of a threshold. */
export const RESUME_AT = 0.8;

export function decideThrottle(
  readings: readonly SignalReading[],
  holding: ReadonlySet<string>,
  resumeAt = RESUME_AT,
): ThrottleVerdict {
  const critical = readings.filter((r) => r.critical !== undefined && r.value > r.critical);
  if (critical.length > 0) {
    const reason = critical.map((r) => `critical: ${describe(r, r.critical ?? 0)}`).join("; ");
    return { tier: "critical", reason, holding: critical.map((r) => r.name) };
  }
  const over: string[] = [];
  const names: string[] = [];
  for (const r of readings) {
    if (r.max === undefined) continue;
    if (r.value > r.max) over.push(describe(r, r.max));
    else if (holding.has(r.name) && r.value > r.max * resumeAt)
      over.push(`${describe(r, r.max * resumeAt)} (resumes below)`);
    else continue;
    names.push(r.name);
  }
  return over.length > 0 ? { tier: "throttle", reason: over.join("; "), holding: names } : CLEAR;
}

/** `replay lag 3.1 s > 1 s`, `database response 84 ms > 50 ms`, `connection use 93% > 90%`, `throttle URL: HTTP 503`. */
export function describe(r: SignalReading, line: number): string {
  if (r.unit === "flag") return r.detail ? `${r.label}: ${r.detail}` : r.label;
  return `${r.label} ${formatValue(r.value, r.unit)} > ${formatValue(line, r.unit)}`;
}

function formatValue(value: number, unit: Exclude<SignalUnit, "flag">): string {
  if (unit === "seconds") return `${Math.round(value * 10) / 10} s`;
  if (unit === "milliseconds") return `${Math.round(value)} ms`;
  if (unit === "fraction") return `${Math.round(value * 100)}%`;
  if (unit === "bytes_per_second") {
    const mb = value / (1024 * 1024);
    return `${mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb)} MB/s`;
  }
  return String(Math.round(value * 10) / 10);
}
