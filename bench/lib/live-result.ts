import type { WorkloadSummary } from "./latency-summary.js";
import type { Placement } from "./live-topology.js";
import type { ThrottleSeen } from "./throttle-seen.js";

/** A backfill run the workload ran beside. */
export interface LiveBackfill {
  /**
   * `default` throttling, every threshold `off` (out of reach), or `nice`: the default throttling with
   * BACKFILL_NICE_RATIO set (`niceRatio`).
   */
  throttling: "default" | "off" | "nice";
  niceRatio?: number;
  tags: number;
  status: string;
  runMs: number;
  tagsPerSec: number;
  /** The run's throttled total (backfill.run.throttled_ms) over its duration. */
  throttledMs: number;
  throttledFraction: number;
  /** Distinct reasons of its throttle.started lines. */
  throttleReasons: string[];
  batches: number;
  batchDurationsMs: number[];
  /** Share of batches whose duration is within ±50% of the target. */
  withinTargetShare: number;
  contended: number;
  /** The throttle's readings and events from the run's log; absent in results written before they were logged. */
  throttle?: ThrottleSeen;
}

export interface LivePhase {
  /** "alone, after": the workload alone again at the end, to show how much the machine's load moved. */
  name:
    | "alone"
    | "backfill, default throttling"
    | "backfill, throttling off"
    | "backfill, default throttling + nice ratio"
    | "alone, after";
  loadAvgAtStart: number[];
  workload: WorkloadSummary;
  backfill?: LiveBackfill;
}

export interface LiveResult {
  startedAt: string;
  finishedAt: string;
  revision: string;
  command: string;
  machine: { cpus: number; cpuModel: string; postgres: string; loadAvgStart: number[]; loadAvgEnd: number[] };
  /**
   * Where the processes ran and on which server: `private` (started by the bench for the measurement) or
   * `shared` (DATABASE_URL's). Absent in results written before the topology was chosen (shared cores).
   */
  topology?: Placement & { server: "private" | "shared" };
  settings: {
    tags: number;
    rate: number;
    aloneSeconds: number;
    targetBatchSeconds: number;
    seedMs: number;
    /** `--nice-ratio`: the extra phase's BACKFILL_NICE_RATIO; absent when it did not run. */
    niceRatio?: number;
  };
  phases: LivePhase[];
  ratios: { throttledP99: number; unthrottledP99: number; niceP99?: number };
  /** The goal: p99 with the backfill under default throttling at most this times the p99 alone. */
  goal: number;
  notes: string[];
}

export const P99_GOAL = 1.5;

/** Share of `durationsMs` within ±`tolerance` of `targetMs`; NaN for none. */
export function shareWithinTarget(durationsMs: readonly number[], targetMs: number, tolerance = 0.5): number {
  if (durationsMs.length === 0) return Number.NaN;
  const lo = targetMs * (1 - tolerance);
  const hi = targetMs * (1 + tolerance);
  return durationsMs.filter((d) => d >= lo && d <= hi).length / durationsMs.length;
}

/** How much of the run it spent throttled (0..1); 0 for a run of no length. */
export function throttledFraction(throttledMs: number, runMs: number): number {
  if (!(runMs > 0)) return 0;
  return Math.min(1, Math.max(0, throttledMs / runMs));
}

/** p99 of `phase` over p99 alone; NaN when either is missing or alone is 0. */
export function p99Ratio(alone: WorkloadSummary, phase: WorkloadSummary | undefined): number {
  if (!phase || !(alone.all.p99 > 0) || phase.all.count === 0) return Number.NaN;
  return phase.all.p99 / alone.all.p99;
}

/** The distinct reasons of the `throttle.started` lines of a run's log. */
export function throttleReasons(lines: readonly Record<string, unknown>[]): string[] {
  const reasons = new Set<string>();
  for (const l of lines)
    if (l.event === "throttle.started" && typeof l.reason === "string") reasons.add(l.reason);
  return [...reasons];
}

/** The `batch.contended` lines of a run's log. */
export function contendedCount(lines: readonly Record<string, unknown>[]): number {
  return lines.filter((l) => l.event === "batch.contended").length;
}

/** Every JSON line of a child's stderr (a line that is not JSON is skipped). */
export function jsonLogLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null) out.push(value as Record<string, unknown>);
    } catch {
      // A line cut short is not a log event.
    }
  }
  return out;
}
