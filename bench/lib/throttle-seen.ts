import { median } from "./percentile.js";

/** One signal over a run: what its `throttle.read` lines said. */
export interface SignalSummary {
  name: string;
  readings: number;
  p50: number;
  max: number;
}

/** A `throttle.started` or `throttle.ended` line, seconds after the run started. */
export interface ThrottleEventLine {
  atS: number;
  event: "started" | "ended";
  reason: string;
  /** The stretch's length (`ended` only). */
  durationMs?: number;
}

/** A `pace.changed` line: the pacer's new rest ratio, seconds after the run started. */
export interface PaceLine {
  atS: number;
  from: number;
  ratio: number;
  reason: string;
}

/** What the throttle saw during one run, from its log. */
export interface ThrottleSeen {
  /** `throttle.read` lines: one per reading of the signals. */
  readings: number;
  /** Readings by verdict. */
  tiers: Record<"clear" | "throttle" | "critical", number>;
  /** Every `response_time` reading (the probe's median, ms) in order; null for one that failed. */
  probeMs: (number | null)[];
  signals: SignalSummary[];
  events: ThrottleEventLine[];
  /** The pacer's changes of ratio (src/run/pacer.ts); empty when it never rested or was off. */
  pace?: PaceLine[];
}

const TIERS = ["clear", "throttle", "critical"] as const;

function timeOf(line: Record<string, unknown>): number {
  const t = line.time;
  return typeof t === "string" ? Date.parse(t) : typeof t === "number" ? t : Number.NaN;
}

/** The throttle's readings and events of one run's log lines; `startedMs` is the run's start. */
export function throttleSeen(lines: readonly Record<string, unknown>[], startedMs: number): ThrottleSeen {
  const tiers = { clear: 0, throttle: 0, critical: 0 };
  const values = new Map<string, number[]>();
  const probeMs: (number | null)[] = [];
  const events: ThrottleEventLine[] = [];
  const pace: PaceLine[] = [];
  let readings = 0;
  for (const l of lines) {
    if (l.event === "throttle.read") {
      readings++;
      const tier = TIERS.find((t) => t === l.tier);
      if (tier) tiers[tier]++;
      const signals = (typeof l.signals === "object" && l.signals !== null ? l.signals : {}) as Record<
        string,
        unknown
      >;
      for (const [name, v] of Object.entries(signals)) {
        if (name === "response_time") probeMs.push(typeof v === "number" ? v : null);
        if (typeof v !== "number") continue;
        values.set(name, [...(values.get(name) ?? []), v]);
      }
    } else if (l.event === "pace.changed") {
      pace.push({
        atS: Math.round((timeOf(l) - startedMs) / 100) / 10,
        from: typeof l.from === "number" ? l.from : 0,
        ratio: typeof l.ratio === "number" ? l.ratio : 0,
        reason: typeof l.reason === "string" ? l.reason : "",
      });
    } else if (l.event === "throttle.started" || l.event === "throttle.ended") {
      const ended = l.event === "throttle.ended";
      events.push({
        atS: Math.round((timeOf(l) - startedMs) / 100) / 10,
        event: ended ? "ended" : "started",
        reason: typeof l.reason === "string" ? l.reason : "",
        ...(ended && typeof l.durationMs === "number" ? { durationMs: l.durationMs } : {}),
      });
    }
  }
  const signals = [...values].map(([name, vs]) => ({
    name,
    readings: vs.length,
    p50: median(vs),
    max: Math.max(...vs),
  }));
  return { readings, tiers, probeMs, signals, events, pace };
}
