import type { DbProcessBatch } from "../src/db/batch-store.js";
import type { Kysely, Transaction } from "kysely";
import { claimBatch, type ClaimedBatch } from "../src/db/batch-claim.js";
import { claimBatchWithinCap } from "../src/db/batch-claim-capped.js";
import { finalizeBatch } from "../src/db/batch-finalize.js";
import { renewBatchLease } from "../src/db/batch-renew-lease.js";
import { getRun } from "../src/db/run-get.js";
import type { Database, RunRow } from "../src/db/tables.js";
import type { Logger } from "../src/log.js";
import type { BatchResult } from "../src/backfill/batch-result.js";
import type { Finalize } from "../src/backfill/finalize.js";
import { isPreempted } from "../src/backfill/preempted.js";
import type { JOB, JobPayloads } from "../src/queue/queue-names.js";
import { classifyError } from "../src/classify-error.js";
import { errorMessage } from "../src/error-message.js";
import { PermanentJobError } from "../src/errors.js";
import type { LeaseRegistry } from "../src/run/lease-registry.js";
import { runFilters } from "../src/run/run-filters.js";
import { logEvent } from "../src/log-events/log-event.js";
import { finishRunIfDone } from "../src/run/finish-run.js";
import { settleContended } from "./batch-contended.js";
import { afterFailure } from "./batch-failure.js";
import { fitClaimToHeap } from "./batch-heap-fit.js";
import { logTagEvents } from "./batch-tag-events.js";
import type { ThrottleGate } from "../src/run/throttle-checker.js";
import type { PaceGate } from "../src/run/pacer.js";
import type { BatchSizeAdapter } from "../src/run/batch-size-adapter.js";
import { niceRestMs, rest } from "./nice-rest.js";
import { atCap, throttleGate, type Throttled } from "./throttle-gate.js";

export const backfillBatchPayloadSchema = {
  type: "object",
  required: ["runId", "batchId"],
  additionalProperties: false,
  properties: {
    runId: { type: "string", pattern: "^[0-9]+$" },
    batchId: { type: "string", pattern: "^[0-9]+$" },
  },
} as const;

export type BackfillBatchPayload = JobPayloads[typeof JOB.backfillBatch];

export interface BackfillBatchContext {
  db: Kysely<Database>;
  logger: Logger;
  processBatch: DbProcessBatch;
  leases: LeaseRegistry;
  /** How long a claim holds before another worker may take the batch; renewed every third of it. */
  leaseMs: number;
  /** 1-based delivery attempt and the most the queue makes; the last failing one fails the batch. */
  attempt: number;
  maxAttempts: number;
  /** Who acts, for the run's audit trail (`worker:<host>:<pid>`). */
  actor: string;
  /** The process's throttle checker: asked before every claim; no throttling without it. */
  throttle?: ThrottleGate;
  /**
   * The most candidate tags this process's heap holds in one batch at its concurrency (heapSafeBatchSize);
   * a larger claimed batch gives the excess back (jobs/batch-heap-fit.ts). No limit without it.
   */
  maxBatchTags?: number;
  /** Puts a batch given back on the queue; without it the ledger resync does. */
  enqueue?: (runId: string, batchIds: readonly string[]) => Promise<number>;
  /** The process's adaptive batch size: a lock or statement timeout shrinks the run's next batches at once. */
  sizeAdapter?: Pick<BatchSizeAdapter, "contended">;
}

export type BackfillBatchResult =
  | { kind: "done"; counts: BatchResult["counts"] }
  | { kind: "preempted" }
  | { kind: "lease-held"; retryAfterMs: number }
  | Throttled
  | { kind: "contended"; retryAfterMs: number }
  | { kind: "not-claimable"; status: string }
  | { kind: "run-inactive"; status: string };

/**
 * One batch: claim it under a lease, hand it to the batch core, and let the core's write transaction end
 * with the lease-guarded status update, so a stale or duplicate delivery writes nothing. Failures release
 * the lease for the next attempt, or fail the batch on the last one, then rethrow for the queue's retry
 * policy. Expected situations (someone else holds it, the run is paused) are values.
 *
 * Pause and cancel take effect at the claim: a batch already claimed when the run is paused or cancelled
 * finishes and commits (its rows are right whatever the run's state, and throwing the work away would
 * only repeat it), no new batch of the run is claimed. So a pause is in force within one batch per worker.
 */
export async function handleBackfillBatch(
  payload: BackfillBatchPayload,
  ctx: BackfillBatchContext,
): Promise<BackfillBatchResult> {
  const run = await getRun(ctx.db, payload.runId);
  if (!run) throw new PermanentJobError(`run ${payload.runId} does not exist`);
  if (run.status !== "running") return runInactive(ctx, payload, run.status);
  // A run with its own nice ratio rests by it alone; otherwise the process's pacer may hold this delivery
  // for its turn (one batch at a time while it rests at all) and sets the rest. The throttle is asked
  // after the turn, so a wait for it never outlasts a throttle that began meanwhile.
  const pacer = run.nice_ratio === null ? ctx.throttle?.pacer : undefined;
  const leave = await pacer?.enter();
  try {
    if (ctx.throttle) {
      const held = await throttleGate(run, { ...ctx, throttle: ctx.throttle });
      if (held === "paused") return runInactive(ctx, payload, "paused");
      if (held) return held;
    }
    return await claimAndProcess(run, payload, ctx, pacer);
  } finally {
    leave?.();
  }
}

async function claimAndProcess(
  run: RunRow,
  payload: BackfillBatchPayload,
  ctx: BackfillBatchContext,
  pacer: PaceGate | undefined,
): Promise<BackfillBatchResult> {
  const claimed =
    run.max_concurrency === null
      ? await claimBatch(ctx.db, payload.batchId, ctx.leaseMs)
      : await claimBatchWithinCap(ctx.db, payload.batchId, ctx.leaseMs, payload.runId, run.max_concurrency);
  // The run has its cap of batches in flight: come back later, as a throttled delivery does.
  if (claimed === "at-cap") return atCap(run.max_concurrency ?? 0, ctx);
  if (!claimed) return notClaimable(ctx, payload);
  if (claimed.runId !== payload.runId) {
    throw new PermanentJobError(
      `batch ${payload.batchId} belongs to run ${claimed.runId}, not ${payload.runId}`,
    );
  }
  const log = ctx.logger.child({ runId: payload.runId, batchId: payload.batchId, attempt: ctx.attempt });
  ctx.leases.add(claimed.id, claimed.leaseToken);
  const heartbeat = startHeartbeat(ctx, claimed, log);
  const started = performance.now();
  let held = claimed;
  let outcome: BackfillBatchResult;
  pacer?.batchStarted();
  try {
    const fitted = await fitClaimToHeap(run, claimed, ctx, log);
    if (fitted === "lost") return preempted(claimed, log);
    held = fitted;
    outcome = await process(run, held, ctx, log);
  } catch (err) {
    // A lock or statement timeout is not a failure: no attempt spent, the batch comes back later.
    if (classifyError(err) === "contended") {
      const adapter = ctx.sizeAdapter;
      return await settleContended(ctx.db, held, err, log, adapter && ((r, b) => adapter.contended(r, b)));
    }
    await afterFailure(err, held, ctx, log);
    throw err;
  } finally {
    clearInterval(heartbeat);
    ctx.leases.delete(claimed.id);
    pacer?.batchEnded();
  }
  if (outcome.kind === "done") {
    const floor = ctx.throttle?.niceRatio;
    const ratio = run.nice_ratio ?? (pacer ? pacer.ratio(floor ?? 0) : floor);
    await rest(niceRestMs(ratio, performance.now() - started));
  }
  return outcome;
}

async function process(
  run: RunRow,
  claimed: ClaimedBatch,
  ctx: BackfillBatchContext,
  log: Logger,
): Promise<BackfillBatchResult> {
  const options = (run.options ?? {}) as { force?: boolean };
  const started = performance.now();
  let finalized = false;
  const finalize: Finalize<Transaction<Database>> = async (trx, result) => {
    finalized = true;
    return finalizeBatch(trx, { batchId: claimed.id, leaseToken: claimed.leaseToken, result });
  };
  let outcome = await ctx.processBatch(
    {
      runId: claimed.runId,
      batchId: claimed.id,
      lo: claimed.lo,
      hi: claimed.hi,
      tagIds: claimed.tagIds,
      dryRun: run.dry_run,
      filters: runFilters(run),
      force: options.force ?? false,
    },
    finalize,
  );
  // A dry run has no write transaction, so the core may return without finalizing: settle the batch here,
  // under the same lease guard.
  if (!isPreempted(outcome) && !finalized) {
    const result = outcome;
    const held = await ctx.db.transaction().execute((trx) => finalize(trx, result));
    if (!held) outcome = { preempted: true };
  }
  if (isPreempted(outcome)) return preempted(claimed, log);
  logTagEvents(log, outcome.results, run.dry_run);
  logEvent(
    log,
    "info",
    "batch.completed",
    {
      lo: claimed.lo,
      hi: claimed.hi,
      counts: outcome.counts,
      tags: outcome.results.length,
      ...outcome.timings,
      durationMs: Math.round(performance.now() - started),
      queries: outcome.queries,
      rowsWritten: outcome.rowsWritten,
      dryRun: run.dry_run,
    },
    "batch completed",
  );
  await finishRunIfDone(ctx.db, claimed.runId, ctx.actor, ctx.logger);
  return { kind: "done", counts: outcome.counts };
}

function preempted(claimed: ClaimedBatch, log: Logger): BackfillBatchResult {
  logEvent(log, "warn", "batch.preempted", { lo: claimed.lo, hi: claimed.hi }, "lease lost; wrote nothing");
  return { kind: "preempted" };
}

async function notClaimable(
  ctx: BackfillBatchContext,
  payload: BackfillBatchPayload,
): Promise<BackfillBatchResult> {
  const row = await ctx.db
    .selectFrom("backfill.batch")
    .select(["status", "run_id", "lease_expires_at"])
    .where("id", "=", payload.batchId)
    .executeTakeFirst();
  // `backfill tune` re-cut it: its tags are in new batches of the run, enqueued on their own.
  if (!row) return skipped(ctx, payload, "gone", "batch re-cut; its tags are in other batches");
  // The claim also refuses a batch whose run was paused or cancelled after our first look.
  const run = await getRun(ctx.db, payload.runId);
  if (run && run.status !== "running") return runInactive(ctx, payload, run.status);
  if (row.status === "running" && row.lease_expires_at) {
    // Someone alive holds it (a duplicate delivery, or a job re-added after a Redis flush): come back when
    // the lease would have expired, by when it is done or its holder is known dead.
    const retryAfterMs = Math.max(1000, new Date(row.lease_expires_at).getTime() - Date.now() + 250);
    return { kind: "lease-held", retryAfterMs: Math.min(retryAfterMs, ctx.leaseMs + 1000) };
  }
  return skipped(ctx, payload, row.status, "nothing to do");
}

function skipped(
  ctx: BackfillBatchContext,
  payload: BackfillBatchPayload,
  status: string,
  message: string,
): BackfillBatchResult {
  logEvent(
    ctx.logger,
    "debug",
    "batch.skipped",
    { runId: payload.runId, batchId: payload.batchId, status },
    message,
  );
  return { kind: "not-claimable", status };
}

/**
 * The run is paused, cancelled or over: the delivery ends without touching the batch (a paused run's
 * batches stay pending in the ledger; `backfill resume` enqueues them again).
 */
function runInactive(
  ctx: BackfillBatchContext,
  payload: BackfillBatchPayload,
  status: string,
): BackfillBatchResult {
  logEvent(
    ctx.logger,
    "debug",
    "batch.skipped",
    { runId: payload.runId, batchId: payload.batchId, status: `run ${status}` },
    "run not running; batch left alone",
  );
  return { kind: "run-inactive", status };
}

function startHeartbeat(ctx: BackfillBatchContext, claimed: ClaimedBatch, log: Logger): NodeJS.Timeout {
  const timer = setInterval(
    () => {
      renewBatchLease(ctx.db, claimed.id, claimed.leaseToken, ctx.leaseMs).then(
        (held) => {
          if (!held)
            logEvent(log, "warn", "batch.lease_lost", {}, "lease no longer held; the write will be refused");
        },
        (err: unknown) =>
          logEvent(log, "warn", "batch.lease_lost", { err: errorMessage(err) }, "could not renew lease"),
      );
    },
    Math.max(200, Math.floor(ctx.leaseMs / 3)),
  );
  timer.unref();
  return timer;
}
