/**
 * Queue names. Batches and scheduler ticks have their own queues so a tick never waits behind a
 * million-tag run's batches.
 */
export const QUEUE = {
  batches: "backfill-batches",
  schedule: "backfill-schedule",
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

/** Job names, and the payload each carries (the handlers in jobs/ validate it against their schema). */
export const JOB = {
  backfillBatch: "backfill-batch",
  scheduledRun: "scheduled-run",
} as const;

export interface JobPayloads {
  [JOB.backfillBatch]: { runId: string; batchId: string };
  /** A scheduler tick carries only the time window its runs get; the rest is read when it fires. */
  [JOB.scheduledRun]: { window?: string; timeZone?: string };
}

/** The one scheduler this project installs (`backfill schedule`). */
export const SCHEDULER_ID = "backfill-periodic-run";

/** Deterministic job id of a batch: the same batch enqueued twice is one job (BullMQ refuses ':'). */
export function batchJobId(runId: string, batchId: string): string {
  return `run-${runId}-batch-${batchId}`;
}
