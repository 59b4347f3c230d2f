import type { DbProcessBatch } from "../db/batch-store.js";
import os from "node:os";
import type { Worker } from "bullmq";
import type { Kysely } from "kysely";
import { releaseBatch } from "../db/batch-release.js";
import type { Database } from "../db/tables.js";
import type { Logger } from "../log.js";
import { closeWithin, type Closable } from "../queue/close-within.js";
import { startJobWorker } from "../queue/job-worker.js";
import { DbHealth } from "./db-health.js";
import type { JobKind, SchedulerSetup, WorkerContext } from "./job-kind.js";
import { LeaseRegistry } from "./lease-registry.js";
import type { ThrottleGate } from "./throttle-checker.js";
import { startLedgerResync } from "./ledger-resync.js";
import { BatchSizeAdapter } from "./batch-size-adapter.js";
import { heapSafeBatchSize } from "./heap-limit-check.js";
import { DEFAULT_HEARTBEAT_MS, startWorkerHeartbeat } from "./worker-heartbeat.js";
import { logEvent } from "../log-events/log-event.js";
import { pingDatabase } from "../db/db-ping.js";
import { livenessProblem } from "./worker-liveness.js";

export interface WorkerRuntimeSetup {
  db: Kysely<Database>;
  logger: Logger;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  leaseMs: number;
  processBatch: DbProcessBatch;
  /** The job kinds to consume (jobs/job-table.ts): one consumer per kind this process enables. */
  jobs: readonly JobKind[];
  /** Asked before every batch claim (src/run/throttle-checker.ts); no throttling without it. */
  throttle?: ThrottleGate;
  /**
   * Puts batches the workers make on the queue: those of a re-cut when a timeout shrinks a run's size at
   * once, and the excess a worker gives back. Without it the ledger resync enqueues them.
   */
  enqueue?: (runId: string, batchIds: readonly string[]) => Promise<number>;
  /**
   * The most candidate tags one batch may hold in this process: larger claimed batches give the excess
   * back. By default what this process's heap holds at `concurrency` (heapSafeBatchSize).
   */
  maxBatchTags?: number;
  /** Also consume scheduler ticks (the `worker` command does; `run` does not). */
  scheduler?: SchedulerSetup;
  /** Re-enqueue the batches not done of running runs every `intervalMs` (the `worker` command does). */
  resync?: {
    intervalMs: number;
    enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
  };
  /** `worker.heartbeat` every `intervalMs` (10 s by default); with `progress`, `run.progress` of running runs. */
  heartbeat?: { intervalMs: number; progress: boolean };
  /** Rewritten at each heartbeat while the consumers run and PostgreSQL and Redis answer (`backfill health`). */
  heartbeatFile?: string;
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
  // Set when a stop gives up waiting: from then on a lost Redis connection ends instead of retrying.
  let forcing = false;
  const ctx: WorkerContext = {
    db: setup.db,
    logger: setup.logger,
    processBatch: setup.processBatch,
    leases,
    leaseMs: setup.leaseMs,
    actor,
    ...(setup.scheduler ? { scheduler: setup.scheduler } : {}),
    ...(setup.throttle ? { throttle: setup.throttle } : {}),
    maxBatchTags: setup.maxBatchTags ?? Math.max(1, heapSafeBatchSize(setup.concurrency)),
    ...(setup.enqueue ? { enqueue: setup.enqueue } : {}),
    sizeAdapter: new BatchSizeAdapter({
      db: setup.db,
      logger: setup.logger,
      enqueue: setup.enqueue ?? (() => Promise.resolve(0)),
    }),
  };
  const workers = startConsumers(setup, ctx, () => forcing);
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
  const heartbeat = setup.heartbeat ?? { intervalMs: DEFAULT_HEARTBEAT_MS, progress: false };
  const stopHeartbeat = startWorkerHeartbeat({
    db: setup.db,
    logger: setup.logger,
    actor,
    leases,
    ...heartbeat,
    ...(setup.heartbeatFile ? { file: heartbeatFileCheck(setup, workers, heartbeat.intervalMs) } : {}),
  });
  const stopTimers = async () => {
    stopHeartbeat();
    await stopResync();
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
  const stop = gracefulStop(setup.logger, leases, workers, stopTimers, releaseAndClose);
  const forceStop = async (reason: string) => {
    void stopTimers();
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

/** The heartbeat file's check: every consumer running, PostgreSQL and each consumer's Redis answering. */
function heartbeatFileCheck(
  setup: WorkerRuntimeSetup,
  workers: readonly Worker<unknown, unknown>[],
  intervalMs: number,
): { path: string; problem: () => Promise<string | undefined> } {
  const targets = {
    pingDatabase: () => pingDatabase(setup.db),
    consumers: workers.map((w) => ({
      name: w.name,
      isRunning: () => w.isRunning(),
      ping: async () => (await w.getBackend().client).runCommand("ping", []) as Promise<unknown>,
    })),
    // An answer slower than a beat would overlap the next one.
    timeoutMs: Math.min(intervalMs, 5000),
  };
  return { path: setup.heartbeatFile ?? "", problem: () => livenessProblem(targets) };
}

/** One queue consumer per job kind of the table this process enables, all sharing the database's health. */
function startConsumers(
  setup: WorkerRuntimeSetup,
  ctx: WorkerContext,
  forcing: () => boolean,
): Worker<unknown, unknown>[] {
  const dbHealth = new DbHealth(setup.logger);
  return setup.jobs
    .filter((kind) => kind.enabled?.(ctx) ?? true)
    .map((kind) =>
      startJobWorker<unknown, unknown>({
        queueName: kind.queue,
        redisUrl: setup.redisUrl,
        prefix: setup.prefix,
        concurrency: kind.concurrency ?? setup.concurrency,
        logger: setup.logger,
        dbHealth,
        lockMs: kind.lockMs?.(setup.leaseMs) ?? setup.leaseMs,
        stopRetrying: forcing,
        schema: kind.schema,
        handle: (payload, meta) => kind.handle(payload, ctx, meta),
      }),
    );
}

/**
 * Stops taking jobs and waits for the current ones; past the deadline hands the held leases back and
 * closes forcibly. Idempotent.
 */
function gracefulStop(
  logger: Logger,
  leases: LeaseRegistry,
  workers: readonly Worker<unknown, unknown>[],
  stopTimers: () => Promise<void>,
  releaseAndClose: (reason: string) => Promise<number>,
): (deadlineMs: number, reason: string) => Promise<{ released: number }> {
  let stopping: Promise<{ released: number }> | undefined;
  return (deadlineMs, reason) => {
    stopping ??= (async () => {
      const startedAt = Date.now();
      logEvent(
        logger,
        "info",
        "worker.stopping",
        { reason, deadlineMs, held: leases.size },
        "worker stopping",
      );
      await stopTimers();
      let timer: NodeJS.Timeout | undefined;
      const closed = Promise.allSettled(workers.map((w) => w.close())).then(() => "closed" as const);
      const deadline = new Promise<"deadline">((resolve) => {
        timer = setTimeout(() => resolve("deadline"), deadlineMs);
      });
      const first = await Promise.race([closed, deadline]);
      clearTimeout(timer);
      const released = first === "deadline" ? await releaseAndClose(reason) : 0;
      logEvent(
        logger,
        "info",
        "worker.stopped",
        { reason, released, durationMs: Date.now() - startedAt, forced: first === "deadline" },
        "worker stopped",
      );
      return { released };
    })();
    return stopping;
  };
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
