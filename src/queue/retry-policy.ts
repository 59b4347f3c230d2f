/**
 * How a batch job is retried: exponential backoff with jitter (so a fleet of workers that failed together
 * does not come back together), a bounded number of attempts, and no finished job kept in Redis: the
 * ledger in PostgreSQL keeps the outcome, and a freed job id lets a resume enqueue the batch again.
 */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, backoffMs: 2000, jitter: 0.5 };

export function batchJobOptions(policy: RetryPolicy) {
  return {
    attempts: policy.attempts,
    backoff: { type: "exponential" as const, delay: policy.backoffMs, jitter: policy.jitter },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/**
 * How long a contended job (a lock or statement timeout: the application held what the batch needed)
 * waits before it comes back, spending no attempt: 1 s after the first, doubling with each contended
 * delivery in a row up to a minute, with jitter so batches that lost together do not return together.
 */
export function contendedDelayMs(contendedInARow: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(contendedInARow, 1) - 1, 6);
  const delay = Math.min(1000 * 2 ** exponent, 60_000);
  return Math.floor(delay * (0.75 + random() * 0.5));
}
