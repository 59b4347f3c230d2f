import type { SignalReading } from "./throttle-decision.js";

/**
 * The median of the probe queries' times: one slow sample (a client pause, a network hiccup) does not
 * throttle, while a server slow for most of them does. NaN without samples.
 */
export function probeLatencyMs(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

/** The "database response" signal from one reading's samples; `maxMs` undefined: the signal is off. */
export function probeReading(samples: readonly number[], maxMs: number | undefined): SignalReading {
  return medianReading("response_time", "database response", samples, maxMs);
}

/** The "commit latency" signal: the median of a reading's durable commits; `maxMs` undefined: off. */
export function commitReading(samples: readonly number[], maxMs: number | undefined): SignalReading {
  return medianReading("commit_latency", "commit latency", samples, maxMs);
}

function medianReading(
  name: string,
  label: string,
  samples: readonly number[],
  maxMs: number | undefined,
): SignalReading {
  return { name, label, value: probeLatencyMs(samples), unit: "milliseconds", max: maxMs };
}
