/** A progress reading: tags done out of total, at a time. */
export interface ProgressSample {
  atMs: number;
  done: number;
}

export interface ProgressEstimate {
  done: number;
  total: number;
  /** Tags per second over the recent window (the whole run when it is younger than the window). */
  ratePerSec: number;
  /** Milliseconds left at that rate; null while nothing has been measured. */
  etaMs: number | null;
}

/**
 * Rate and ETA over a sliding window, so a resumed run or a slow start does not skew the estimate for
 * the rest of the run. Pure: the caller feeds samples with their times.
 */
export class ProgressMeter {
  readonly #samples: ProgressSample[] = [];

  constructor(private readonly windowMs = 30_000) {}

  add(sample: ProgressSample): void {
    this.#samples.push(sample);
    const cutoff = sample.atMs - this.windowMs;
    while (this.#samples.length > 2 && (this.#samples[1]?.atMs ?? Infinity) <= cutoff) this.#samples.shift();
  }

  estimate(total: number): ProgressEstimate {
    const last = this.#samples.at(-1);
    const first = this.#samples[0];
    if (!last || !first) return { done: 0, total, ratePerSec: 0, etaMs: null };
    const spanMs = last.atMs - first.atMs;
    const ratePerSec = spanMs > 0 ? ((last.done - first.done) * 1000) / spanMs : 0;
    const remaining = Math.max(0, total - last.done);
    const etaMs = remaining === 0 ? 0 : ratePerSec > 0 ? Math.round((remaining / ratePerSec) * 1000) : null;
    return { done: last.done, total, ratePerSec: Math.round(ratePerSec * 10) / 10, etaMs };
  }
}

/** `1h02m`, `3m05s`, `42s`: an ETA or duration for people. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "?";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
