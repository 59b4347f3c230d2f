/**
 * The longest rest after one batch (jobs/backfill-batch.ts rests after the commit and the lease: only its
 * slot waits): a worker being stopped waits for it, so it stays short.
 */
export const MAX_NICE_REST_MS = 30_000;

/**
 * gh-ost's `--nice-ratio`: after a batch that took `durationMs`, the delivery holds its worker slot for
 * `ratio` × that before it returns, so the next claim of this slot comes that much later. Ratio 1 halves
 * the time the backfill keeps the database busy whatever the batch size; the database's own signals do
 * not have to notice anything first. Capped at MAX_NICE_REST_MS.
 */
export function niceRestMs(ratio: number | undefined, durationMs: number): number {
  if (ratio === undefined || !(ratio > 0) || !(durationMs > 0)) return 0;
  return Math.min(MAX_NICE_REST_MS, Math.round(ratio * durationMs));
}

export function rest(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
