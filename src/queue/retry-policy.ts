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
