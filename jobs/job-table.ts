import os from "node:os";
import { QUEUE } from "../src/queue/queue-names.js";
import { jobKind, type JobKind } from "../src/run/job-kind.js";
import {
  backfillBatchPayloadSchema,
  handleBackfillBatch,
  type BackfillBatchPayload,
} from "./backfill-batch.js";
import { handleScheduledRun, scheduledRunPayloadSchema, type ScheduledRunPayload } from "./scheduled-run.js";

/**
 * Every job kind the workers consume: its queue, payload schema and handler. The worker runtime
 * (src/run/worker-runtime.ts) starts one consumer per entry, so a new kind is a handler file and a line
 * here (plus whatever enqueues it).
 */
export const JOB_TABLE: readonly JobKind[] = [
  jobKind<BackfillBatchPayload>({
    queue: QUEUE.batches,
    schema: backfillBatchPayloadSchema,
    handle: (payload, ctx, job) =>
      handleBackfillBatch(payload, {
        db: ctx.db,
        logger: ctx.logger.child({ queue: QUEUE.batches, jobId: job.jobId }),
        processBatch: ctx.processBatch,
        leases: ctx.leases,
        leaseMs: ctx.leaseMs,
        attempt: job.attempt,
        maxAttempts: job.maxAttempts,
        actor: ctx.actor,
        ...(ctx.throttle ? { throttle: ctx.throttle } : {}),
        ...(ctx.sizeAdapter ? { sizeAdapter: ctx.sizeAdapter } : {}),
        ...(ctx.maxBatchTags !== undefined ? { maxBatchTags: ctx.maxBatchTags } : {}),
        ...(ctx.enqueue ? { enqueue: ctx.enqueue } : {}),
      }),
  }),
  // Scheduler ticks: only a process given the scheduler's setup (`backfill worker`) consumes them.
  jobKind<ScheduledRunPayload>({
    queue: QUEUE.schedule,
    schema: scheduledRunPayloadSchema,
    concurrency: 1,
    lockMs: (leaseMs) => Math.max(leaseMs, 30_000),
    enabled: (ctx) => ctx.scheduler !== undefined,
    handle: (payload, ctx) => {
      const scheduler = ctx.scheduler;
      if (!scheduler) throw new Error("a scheduler tick needs the scheduler's setup");
      return handleScheduledRun(payload, {
        db: ctx.db,
        logger: ctx.logger.child({ queue: QUEUE.schedule }),
        actor: `scheduler:${os.hostname()}:${process.pid}`,
        ...scheduler,
      });
    },
  }),
];
