import { percentile } from "./percentile.js";
import { WORKLOAD_OPERATIONS, type WorkloadOperation } from "./workload-plan.js";

/** One operation's latencies, in milliseconds, as the workload prints them. */
export interface LatencyStats {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface WorkloadSummary {
  /** Operations issued per second, as asked. */
  rate: number;
  /** How long the workload issued operations, milliseconds. */
  durationMs: number;
  /** Every operation together. */
  all: LatencyStats;
  byOperation: Partial<Record<WorkloadOperation, LatencyStats>>;
  /** Operations not issued because too many were in flight (the database could not keep up). */
  skipped: number;
  /** The first few distinct error messages. */
  errorSamples: string[];
}

const round = (ms: number) => (Number.isFinite(ms) ? Math.round(ms * 100) / 100 : 0);

export function latencyStats(latenciesMs: readonly number[], errors: number): LatencyStats {
  return {
    count: latenciesMs.length,
    errors,
    p50: round(percentile(latenciesMs, 0.5)),
    p95: round(percentile(latenciesMs, 0.95)),
    p99: round(percentile(latenciesMs, 0.99)),
    max: round(latenciesMs.reduce((m, v) => Math.max(m, v), 0)),
  };
}

/**
 * Collects each finished operation's latency (failed ones too: an error that took 5 s still kept the user
 * waiting 5 s) and summarises them.
 */
export class LatencyRecorder {
  readonly #latencies = new Map<WorkloadOperation, number[]>();
  readonly #errors = new Map<WorkloadOperation, number>();
  readonly #samples = new Set<string>();
  skipped = 0;

  record(op: WorkloadOperation, latencyMs: number, error?: string): void {
    const list = this.#latencies.get(op) ?? [];
    list.push(latencyMs);
    this.#latencies.set(op, list);
    if (error === undefined) return;
    this.#errors.set(op, (this.#errors.get(op) ?? 0) + 1);
    if (this.#samples.size < 5) this.#samples.add(`${op}: ${error}`);
  }

  summary(rate: number, durationMs: number): WorkloadSummary {
    const byOperation: Partial<Record<WorkloadOperation, LatencyStats>> = {};
    const all: number[] = [];
    let errors = 0;
    for (const op of WORKLOAD_OPERATIONS) {
      const list = this.#latencies.get(op);
      if (!list) continue;
      const opErrors = this.#errors.get(op) ?? 0;
      byOperation[op] = latencyStats(list, opErrors);
      all.push(...list);
      errors += opErrors;
    }
    return {
      rate,
      durationMs: Math.round(durationMs),
      all: latencyStats(all, errors),
      byOperation,
      skipped: this.skipped,
      errorSamples: [...this.#samples],
    };
  }
}
