import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";
import { JOB, QUEUE, batchJobId, SCHEDULER_ID, type JobPayloads } from "./queue-names.js";
import { closeWithin } from "./close-within.js";
import { redisConnection } from "./redis-connection.js";
import { batchJobOptions, type RetryPolicy } from "./retry-policy.js";
import { redisErrorReporter } from "./redis-error-reporter.js";

export interface QueueSetup {
  redisUrl: string;
  prefix: string;
  logger: Logger;
  /** Fail a command at once when Redis is unreachable instead of waiting for it (one-shot commands). */
  failFast?: boolean;
}

export type ScheduleSpec = { every: number } | { pattern: string };

/** The producer side: enqueue batches, manage the scheduler, read counts. */
export interface BackfillQueues {
  enqueueBatches(runId: string, batchIds: readonly string[], policy: RetryPolicy): Promise<number>;
  /** Adds one job of any kind in the job table (jobs/job-table.ts) to its queue, opened on first use. */
  enqueue(queue: string, name: string, payload: object, options?: JobsOptions): Promise<void>;
  /** `data`: what every tick carries (the runs' time window). */
  upsertSchedule(spec: ScheduleSpec, data?: JobPayloads[typeof JOB.scheduledRun]): Promise<void>;
  /** Removes the scheduler and the ticks it already queued; says whether there was one, and how many ticks. */
  removeSchedule(): Promise<{ removed: boolean; pendingTicks: number }>;
  /** Whether the scheduler is installed (a tick handled after its removal must not start a run). */
  isScheduled(): Promise<boolean>;
  describeSchedule(): Promise<
    { every?: number; pattern?: string; next?: number; window?: string; timeZone?: string } | undefined
  >;
  counts(): Promise<Record<string, Record<string, number>>>;
  /** Removes the jobs of these batches that wait (or are delayed); jobs a worker holds stay. */
  removeBatchJobs(runId: string, batchIds: readonly string[]): Promise<number>;
  /** Processes consuming batches now (`worker`, or `run`'s in-process worker), as Redis lists its clients. */
  batchWorkers(): Promise<number>;
  close(): Promise<void>;
}

const BULK = 500;
/** How long close() waits for Redis before it disconnects without the goodbye. */
const CLOSE_TIMEOUT_MS = 3000;

export function openQueues(setup: QueueSetup): BackfillQueues {
  let closing = false;
  const connection = redisConnection(setup.redisUrl, {
    failFast: setup.failFast ?? false,
    stopRetrying: () => closing,
  });
  const onError = redisErrorReporter(setup.logger, "queue");
  const batches = new Queue<JobPayloads[typeof JOB.backfillBatch]>(QUEUE.batches, {
    connection,
    prefix: setup.prefix,
  });
  const schedule = new Queue<JobPayloads[typeof JOB.scheduledRun]>(QUEUE.schedule, {
    connection,
    prefix: setup.prefix,
  });
  batches.on("error", onError);
  schedule.on("error", onError);
  const others = lazyQueues(connection, setup.prefix, onError);

  return {
    async enqueueBatches(runId, batchIds, policy) {
      const opts = batchJobOptions(policy);
      for (let i = 0; i < batchIds.length; i += BULK) {
        const chunk = batchIds.slice(i, i + BULK);
        await batches.addBulk(
          chunk.map((batchId) => ({
            name: JOB.backfillBatch,
            data: { runId, batchId },
            opts: { ...opts, jobId: batchJobId(runId, batchId) },
          })),
        );
      }
      if (batchIds.length > 0) {
        logEvent(
          setup.logger,
          "debug",
          "queue.enqueued",
          { runId, batches: batchIds.length },
          "batches enqueued",
        );
      }
      return batchIds.length;
    },
    async enqueue(queue, name, payload, options) {
      await others.get(queue).add(name, payload, options);
    },
    ...scheduleMethods(schedule),
    async counts() {
      const states = ["waiting", "active", "delayed", "completed", "failed", "prioritized"] as const;
      return {
        [QUEUE.batches]: await batches.getJobCounts(...states),
        [QUEUE.schedule]: await schedule.getJobCounts(...states),
      };
    },
    async removeBatchJobs(runId, batchIds) {
      let removed = 0;
      for (const batchId of batchIds) removed += await batches.remove(batchJobId(runId, batchId));
      return removed;
    },
    async batchWorkers() {
      return batches.getWorkersCount();
    },
    async close() {
      // Closing: a connection lost now is not worth waiting for (an enqueue still pending then fails).
      closing = true;
      await closeWithin([batches, schedule, ...others.all()], CLOSE_TIMEOUT_MS);
    },
  };
}

type ScheduleMethods = Pick<
  BackfillQueues,
  "upsertSchedule" | "removeSchedule" | "isScheduled" | "describeSchedule"
>;

/** The scheduler's side of the queues: the one scheduler (SCHEDULER_ID) and the ticks it queued. */
function scheduleMethods(schedule: Queue<JobPayloads[typeof JOB.scheduledRun]>): ScheduleMethods {
  return {
    async upsertSchedule(spec, data = {}) {
      await schedule.upsertJobScheduler(SCHEDULER_ID, spec, {
        name: JOB.scheduledRun,
        data,
        opts: {
          attempts: 3,
          backoff: { type: "exponential", delay: 5000, jitter: 0.5 },
          removeOnComplete: 100,
          removeOnFail: 100,
        },
      });
    },
    async removeSchedule() {
      const removed = await schedule.removeJobScheduler(SCHEDULER_ID);
      // BullMQ removes the scheduler's next delayed tick only; the one already waiting (`--every` queues its
      // first at once) would still start a run.
      let pendingTicks = 0;
      const pending = await schedule.getJobs(["waiting", "delayed", "prioritized"]);
      for (const job of pending) {
        if (job.repeatJobKey !== SCHEDULER_ID && !job.id?.startsWith(`repeat:${SCHEDULER_ID}:`)) continue;
        // A tick a worker took meanwhile cannot be removed; the handler sees the scheduler gone.
        if ((await schedule.remove(job.id ?? "")) === 1) pendingTicks++;
      }
      return { removed, pendingTicks };
    },
    async isScheduled() {
      return (await schedule.getJobScheduler(SCHEDULER_ID)) !== undefined;
    },
    async describeSchedule() {
      const s = await schedule.getJobScheduler(SCHEDULER_ID);
      if (!s) return undefined;
      return {
        ...(s.every !== undefined && s.every !== null ? { every: Number(s.every) } : {}),
        ...(s.pattern ? { pattern: s.pattern } : {}),
        ...(s.next !== undefined ? { next: s.next } : {}),
        ...(s.template?.data?.window !== undefined
          ? { window: s.template.data.window, timeZone: s.template.data.timeZone ?? "UTC" }
          : {}),
      };
    },
  };
}

/** Queues by name, each opened on the shared connection when first asked for. */
function lazyQueues(connection: ConnectionOptions, prefix: string, onError: (err: Error) => void) {
  const queues = new Map<string, Queue>();
  return {
    get(name: string): Queue {
      let queue = queues.get(name);
      if (!queue) {
        queue = new Queue(name, { connection, prefix });
        queue.on("error", onError);
        queues.set(name, queue);
      }
      return queue;
    },
    all: (): Queue[] => [...queues.values()],
  };
}
