import os from "node:os";
import type { Kysely } from "kysely";
import {
  backfillBatchPayloadSchema,
  handleBackfillBatch,
  type BackfillBatchPayload,
  type BackfillBatchResult,
} from "../../jobs/backfill-batch.js";
import {
  handleScheduledRun,
  scheduledRunPayloadSchema,
  type ScheduledRunPayload,
  type ScheduledRunResult,
} from "../../jobs/scheduled-run.js";
import { releaseBatch } from "../db/batch-release.js";
import type { Database } from "../db/tables.js";
import type { Logger } from "../log.js";
import { closeWithin, type Closable } from "../queue/close-within.js";
import { startJobWorker } from "../queue/job-worker.js";
import { QUEUE } from "../queue/queue-names.js";
import type { ProcessBatch } from "./batch-processor.js";
import { DbHealth } from "./db-health.js";
import { LeaseRegistry } from "./lease-registry.js";
import { startLedgerResync } from "./ledger-resync.js";
import { logEvent } from "../log-event.js";

export interface WorkerRuntimeSetup {
  db: Kysely<Database>;
  logger: Logger;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  leaseMs: number;
  processBatch: ProcessBatch;
  /** Also consume scheduler ticks (the `worker` command does; `run` does not). */
  scheduler?: {
    batchSize: number;
    config: object;
    startedBy: object;
    enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
    isScheduled?: () => Promise<boolean>;
  };
  /** Re-enqueue the batches not done of running runs every `intervalMs` (the `worker` command does). */
  resync?: {
    intervalMs: number;
    enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
  };
}

export interface WorkerRuntime {
  readonly actor: string;
  readonly leases: LeaseRegistry;
  /**
   * Stops taking jobs and waits for the current ones; past `deadlineMs` hands the held leases back and
   * closes forcibly. Idempotent. Resolves with how many leases had to be released.
   */
  stop(deadlineMs: number, reason: string): Promise<{ released: number }>;
  /** The second signal: hand the held leases back now and close without waiting. */
  forceStop(reason: string): Promise<{ released: number }>;
}

export function startWorkerRuntime(setup: WorkerRuntimeSetup): WorkerRuntime {
  const actor = `worker:${os.hostname()}:${process.pid}`;
  const leases = new LeaseRegistry();
  const dbHealth = new DbHealth(setup.logger);
  // Set when a stop gives up waiting: from then on a lost Redis connection ends instead of retrying.
  let forcing = false;
  const batchWorker = startJobWorker<BackfillBatchPayload, BackfillBatchResult>({
    queueName: QUEUE.batches,
    redisUrl: setup.redisUrl,
    prefix: setup.prefix,
    concurrency: setup.concurrency,
    logger: setup.logger,
    dbHealth,
    lockMs: setup.leaseMs,
    stopRetrying: () => forcing,
    schema: backfillBatchPayloadSchema,
    handle: (payload, meta) =>
      handleBackfillBatch(payload, {
        db: setup.db,
        logger: setup.logger.child({ queue: QUEUE.batches, jobId: meta.jobId }),
        processBatch: setup.processBatch,
        leases,
        leaseMs: setup.leaseMs,
        attempt: meta.attempt,
        maxAttempts: meta.maxAttempts,
        actor,
      }),
  });
  const schedulerSetup = setup.scheduler;
  const tickWorker = schedulerSetup
    ? startJobWorker<ScheduledRunPayload, ScheduledRunResult>({
        queueName: QUEUE.schedule,
        redisUrl: setup.redisUrl,
        prefix: setup.prefix,
        concurrency: 1,
        logger: setup.logger,
        dbHealth,
        lockMs: Math.max(setup.leaseMs, 30_000),
        stopRetrying: () => forcing,
        schema: scheduledRunPayloadSchema,
        handle: (payload) =>
          handleScheduledRun(payload, {
            db: setup.db,
            logger: setup.logger.child({ queue: QUEUE.schedule }),
            actor: `scheduler:${os.hostname()}:${process.pid}`,
            ...schedulerSetup,
          }),
      })
    : undefined;
  const workers = tickWorker ? [batchWorker, tickWorker] : [batchWorker];
  const stopResync = setup.resync
    ? startLedgerResync({ db: setup.db, logger: setup.logger, ...setup.resync })
    : async () => {};
  logEvent(
    setup.logger,
    "info",
    "worker.started",
    { concurrency: setup.concurrency, queues: workers.map((w) => w.name), leaseMs: setup.leaseMs, actor },
    "worker started",
  );

  let stopping: Promise<{ released: number }> | undefined;
  const stop = (deadlineMs: number, reason: string) => {
    stopping ??= (async () => {
      const startedAt = Date.now();
      logEvent(
        setup.logger,
        "info",
        "worker.stopping",
        { reason, deadlineMs, held: leases.size },
        "worker stopping",
      );
      await stopResync();
      let timer: NodeJS.Timeout | undefined;
      const closed = Promise.allSettled(workers.map((w) => w.close())).then(() => "closed" as const);
      const deadline = new Promise<"deadline">((resolve) => {
        timer = setTimeout(() => resolve("deadline"), deadlineMs);
      });
      const first = await Promise.race([closed, deadline]);
      clearTimeout(timer);
      let released = 0;
      if (first === "deadline") {
        // The current batches did not finish in time: give their leases back so another worker takes them
        // now; their own commits will find the lease gone and roll back.
        for (const [batchId, token] of leases.entries()) {
          if (await releaseBatch(setup.db, batchId, token, `released: ${reason}`).catch(() => false))
            released++;
        }
        forcing = true;
        await forceClose(workers);
      }
      logEvent(
        setup.logger,
        "info",
        "worker.stopped",
        { reason, released, durationMs: Date.now() - startedAt, forced: first === "deadline" },
        "worker stopped",
      );
      return { released };
    })();
    return stopping;
  };
  // The current batches did not finish in time: give their leases back so another worker takes them now;
  // their own commits will find the lease gone and roll back.
  const releaseAndClose = async (reason: string): Promise<number> => {
    let released = 0;
    for (const [batchId, token] of leases.entries()) {
      if (await releaseBatch(setup.db, batchId, token, `released: ${reason}`).catch(() => false)) released++;
    }
    forcing = true;
    await forceClose(workers);
    return released;
  };
  const forceStop = async (reason: string) => {
    void stopResync();
    const released = await releaseAndClose(reason);
    logEvent(
      setup.logger,
      "warn",
      "worker.stopped",
      { reason, released, durationMs: 0, forced: true },
      "worker stopped",
    );
    return { released };
  };
  return { actor, leases, stop, forceStop };
}

/** How long a forced close may wait for Redis before the workers are disconnected without it. */
const FORCE_CLOSE_MS = 3000;

/**
 * BullMQ returns a pending graceful close when close(true) follows it, and that one waits for the current
 * jobs to be acknowledged in Redis: bounded, so a stop during a Redis outage still ends.
 */
async function forceClose(workers: readonly (Closable & { close(force?: boolean): Promise<void> })[]) {
  await closeWithin(
    workers.map((w) => ({ close: () => w.close(true), disconnect: () => w.disconnect() })),
    FORCE_CLOSE_MS,
  );
}
