export interface ProgressEstimate {
  done: number;
  total: number;
  /** Tags mapped per second of the run's running time (run-rate.ts). */
  ratePerSec: number;
  /** Milliseconds left at that rate; null while nothing has been measured. */
  etaMs: number | null;
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
