import type { DbProcessBatch } from "../db/batch-store.js";
import { sql, type Kysely } from "kysely";
import { batchProgress, type BatchProgress } from "../db/batch-progress.js";
import { getRun } from "../db/run-get.js";
import { listRunEvents } from "../db/run-events-list.js";
import { countRemainingTags } from "../db/run-remaining-tags.js";
import type { Database, RunRow } from "../db/tables.js";
import type { Logger } from "../log.js";
import { openQueues } from "../queue/backfill-queues.js";
import { checkRedis } from "../queue/redis-check.js";
import type { RetryPolicy } from "../queue/retry-policy.js";
import { errorMessage } from "../error-message.js";
import type { JobKind } from "./job-kind.js";
import { finishRunIfDone } from "./finish-run.js";
import { runFilters } from "./run-filters.js";
import { logEvent } from "../log-events/log-event.js";
import type { ProgressEstimate } from "./progress-meter.js";
import { estimateRun } from "./run-rate.js";
import { loadRunClock } from "../db/load-run-clock.js";
import { startOrResumeRun, type StartRunInput } from "./start-run.js";
import { runResync } from "./run-resync.js";
import { runThrottle } from "./run-status.js";
import { runHeader } from "./run-header.js";
import { startWorkerRuntime } from "./worker-runtime.js";
import type { ThrottleGate } from "./throttle-checker.js";

export interface RunPassSetup {
  db: Kysely<Database>;
  logger: Logger;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  leaseMs: number;
  retry: RetryPolicy;
  processBatch: DbProcessBatch;
  /** The job kinds the in-process workers consume (jobs/job-table.ts). */
  jobs: readonly JobKind[];
  /** Asked before every batch claim (src/run/throttle-checker.ts); no throttling without it. */
  throttle?: ThrottleGate;
  run: StartRunInput;
  /** The most candidate tags one batch may hold here (the worker runtime's default: what the heap holds). */
  maxBatchTags?: number;
  /** How often the ledger is read for progress and completion. */
  pollMs?: number;
  /** How often not-done batches are enqueued again (heals a flushed Redis) and the batch size adapted. */
  resyncMs?: number;
  /** How often `run.progress` is logged (when there is no progress bar). */
  progressLogMs?: number;
  onProgress?: (estimate: ProgressEstimate, progress: BatchProgress) => void;
  /** Aborting it stops the pass gracefully; the run stays active and a later `run` resumes it. */
  signal?: AbortSignal;
  stopDeadlineMs?: number;
  /** How long Redis may take to answer the first time (a silent or refusing Redis stops the pass). */
  connectTimeoutMs?: number;
  /**
   * Keep following a run paused meanwhile (logging `run.waiting`) until it is resumed, cancelled or the
   * signal aborts, instead of ending the pass at the pause (`backfill run` does).
   */
  waitWhilePaused?: boolean;
}

export interface PassOutcome {
  run: RunRow;
  resumed: boolean;
  interrupted: boolean;
  progress: BatchProgress;
  /** Candidate tags of the run's batches still without a mapping (zero for a successful real run). */
  remaining: number;
  durationMs: number;
  /** The run's rate (run-rate.ts) at the end of the pass, as `status` shows it. */
  estimate: ProgressEstimate & { runningMs: number };
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/**
 * One `backfill run`: create or resume the target's run, enqueue its batches, process them with
 * in-process workers (other `worker` processes may help), and follow the ledger until the run ends.
 * Redis only dispatches: progress and completion are read from PostgreSQL.
 */
export async function runPass(setup: RunPassSetup): Promise<PassOutcome> {
  const startedAt = Date.now();
  // Both servers answer before a run row is created or resumed: PostgreSQL first (when both are away, the
  // database is what the message names), then Redis, which would otherwise be waited for without end.
  await sql`SELECT 1`.execute(setup.db);
  await checkRedis(setup.redisUrl, setup.connectTimeoutMs ?? 10_000);
  const queues = openQueues({ redisUrl: setup.redisUrl, prefix: setup.prefix, logger: setup.logger });
  try {
    const started = await startOrResumeRun(setup.db, setup.run);
    const runId = String(started.run.id);
    const log = setup.logger.child({ runId });
    // A paused run is left as it is (the verdict says `backfill resume`): nothing was started or resumed.
    if (started.run.status === "paused") {
      return await outcome(setup.db, started.run, started.resumed, false, startedAt);
    }
    logEvent(
      log,
      "info",
      started.resumed ? "run.resumed" : "run.started",
      runHeader(started.run, started.batchIds.length, setup.concurrency),
      started.resumed ? "run resumed" : "run started",
    );
    // With Redis away the enqueue waits for it; a stop signal must not (the ledger keeps the batches).
    if (
      (await abortable(queues.enqueueBatches(runId, started.batchIds, setup.retry), setup.signal)) === ABORTED
    ) {
      return await interruptedOutcome(setup, runId, log, started.run, started.resumed, startedAt);
    }
    const runtime = startWorkerRuntime({
      db: setup.db,
      logger: setup.logger,
      redisUrl: setup.redisUrl,
      prefix: setup.prefix,
      concurrency: setup.concurrency,
      leaseMs: setup.leaseMs,
      processBatch: setup.processBatch,
      jobs: setup.jobs,
      enqueue: (id, ids) => queues.enqueueBatches(id, ids, setup.retry),
      ...(setup.maxBatchTags !== undefined ? { maxBatchTags: setup.maxBatchTags } : {}),
      ...(setup.throttle ? { throttle: setup.throttle } : {}),
    });
    let ending: FollowEnd = "aborted";
    try {
      ending = await follow(setup, runId, log, runResync(setup, runId, queues));
    } finally {
      // A pause lets the batches in flight finish: the graceful stop waits for them.
      const reason =
        ending === "aborted" ? "interrupted" : ending === "paused" ? "run paused" : "run finished";
      await runtime.stop(setup.stopDeadlineMs ?? 30_000, reason);
    }
    if (ending === "aborted") {
      return await interruptedOutcome(setup, runId, log, started.run, started.resumed, startedAt);
    }
    const run = (await getRun(setup.db, runId)) ?? started.run;
    return await outcome(setup.db, run, started.resumed, false, startedAt);
  } finally {
    await queues.close();
  }
}

async function interruptedOutcome(
  setup: RunPassSetup,
  runId: string,
  log: Logger,
  startedRun: RunRow,
  resumed: boolean,
  startedAt: number,
): Promise<PassOutcome> {
  const run = (await getRun(setup.db, runId)) ?? startedRun;
  logEvent(
    log,
    "warn",
    "run.interrupted",
    { status: run.status },
    "run interrupted; `backfill run` resumes it",
  );
  return await outcome(setup.db, run, resumed, true, startedAt);
}

const ABORTED = Symbol("aborted");

/** `work`'s result, or ABORTED as soon as the signal fires (work goes on, its failure ignored). */
function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal === undefined) return work;
  work.catch(() => undefined);
  if (signal.aborted) return Promise.resolve(ABORTED);
  let onAbort = (): void => undefined;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}

/** Why following a run stopped: the signal aborted, the run was paused, or it reached a terminal state. */
type FollowEnd = "aborted" | "paused" | "ended";

/** Polls the ledger until the run ends, is paused, or the signal aborts. */
async function follow(
  setup: RunPassSetup,
  runId: string,
  log: Logger,
  resync: () => Promise<void>,
): Promise<FollowEnd> {
  const pollMs = setup.pollMs ?? 1000;
  const resyncMs = setup.resyncMs ?? 15_000;
  const progressLogMs = setup.progressLogMs ?? 5000;
  let lastResync = Date.now();
  let lastLog = 0;
  let paused = false;
  for (;;) {
    if (setup.signal?.aborted) return "aborted";
    await sleep(pollMs, setup.signal);
    if (setup.signal?.aborted) return "aborted";
    try {
      const run = await getRun(setup.db, runId);
      if (!run) throw new Error(`run ${runId} disappeared from backfill.run`);
      const progress = await batchProgress(setup.db, runId);
      const clock = await loadRunClock(setup.db, runId);
      const now = Date.now();
      // Throttled time is left out, as `status` does: the rate is the run's when it may work.
      const estimate = estimateRun(run.total_tags, progress.tags, clock, now, runThrottle(run, now).totalMs);
      setup.onProgress?.(estimate, progress);
      // Beside a bar too (a quiet logger drops it); the last one shows the rate the summary shows.
      const last = TERMINAL.has(run.status) || run.status === "paused";
      if (last || Date.now() - lastLog >= progressLogMs) {
        lastLog = Date.now();
        logEvent(
          log,
          "info",
          "run.progress",
          {
            done: estimate.done,
            total: estimate.total,
            batchesDone: progress.batches.done,
            batchesTotal: progress.batches.total,
            broken: progress.tags.backfilled_broken,
            failed: progress.tags.failed,
            ratePerSec: estimate.ratePerSec,
            etaMs: estimate.etaMs,
          },
          "run progress",
        );
      }
      if (TERMINAL.has(run.status)) return "ended";
      if (run.status === "paused") {
        if (!setup.waitWhilePaused) return "paused";
        if (!paused) await logWaiting(setup.db, log, runId);
        paused = true;
        continue;
      }
      if (paused) {
        // Resumed: put the batches back on the queue now, in case `resume` could not reach Redis.
        paused = false;
        lastResync = 0;
      }
      if (progress.batches.pending + progress.batches.running === 0) {
        // Every batch is settled but the worker that settled the last one died before closing the run.
        await finishRunIfDone(setup.db, runId, "run-command", setup.logger);
        continue;
      }
      if (Date.now() - lastResync >= resyncMs) {
        lastResync = Date.now();
        if ((await abortable(resync(), setup.signal)) === ABORTED) return "aborted";
      }
    } catch (err) {
      // The database or Redis is away: keep following; the workers wait it out on their side.
      logEvent(log, "warn", "run.progress", { err: errorMessage(err) }, "could not read progress; retrying");
    }
  }
}

/** `run.waiting`: the run is paused, by whom, and the commands that continue or end it. */
async function logWaiting(db: Kysely<Database>, log: Logger, runId: string): Promise<void> {
  const pause = (await listRunEvents(db, runId)).filter((e) => e.to_status === "paused").at(-1);
  const detail = (pause?.detail ?? {}) as { reason?: unknown };
  const reason = typeof detail.reason === "string" ? detail.reason : undefined;
  const pausedBy = pause?.actor ?? "unknown";
  logEvent(
    log,
    "warn",
    "run.waiting",
    {
      status: "paused",
      pausedBy,
      ...(reason !== undefined ? { reason } : {}),
      resume: `backfill resume ${runId}`,
      cancel: `backfill cancel ${runId}`,
    },
    `run ${runId} paused by ${pausedBy}${reason !== undefined ? ` (${reason})` : ""}; waiting: \`backfill resume ${runId}\` continues it, \`backfill cancel ${runId}\` ends it`,
  );
}

async function outcome(
  db: Kysely<Database>,
  run: RunRow,
  resumed: boolean,
  interrupted: boolean,
  startedAt: number,
): Promise<PassOutcome> {
  const runId = String(run.id);
  const progress = await batchProgress(db, runId);
  const remaining = run.dry_run ? 0 : await countRemainingTags(db, runId, runFilters(run));
  const clock = await loadRunClock(db, runId);
  const now = Date.now();
  const estimate = estimateRun(run.total_tags, progress.tags, clock, now, runThrottle(run, now).totalMs);
  return { run, resumed, interrupted, progress, remaining, durationMs: Date.now() - startedAt, estimate };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
