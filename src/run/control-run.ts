import type { Kysely } from "kysely";
import { listUnfinishedBatches } from "../db/batch-list-unfinished.js";
import { resetFailedBatches } from "../db/batch-reset-failed.js";
import { getRun } from "../db/run-get.js";
import { transitionRun } from "../db/run-transition.js";
import type { Database, RunRow, RunStatus } from "../db/tables.js";
import type { Logger } from "../log.js";
import { errorMessage } from "../error-message.js";
import { finishRunIfDone, logEndedThrottle } from "./finish-run.js";
import { logEvent } from "../log-events/log-event.js";

export type RunControl = "pause" | "resume" | "cancel";

/**
 * The legal moves of `backfill pause|resume|cancel`. Everything is in PostgreSQL, so they work while
 * Redis is down; workers see the new state at their next claim (see jobs/backfill-batch.ts).
 */
export const CONTROL_RULES: Readonly<Record<RunControl, { from: readonly RunStatus[]; to: RunStatus }>> = {
  pause: { from: ["pending", "running"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
  cancel: { from: ["pending", "running", "paused"], to: "cancelled" },
};

export interface ControlInput {
  runId: string;
  action: RunControl;
  /** `user@host` of the operator. */
  actor: string;
  reason?: string;
}

export type ControlResult =
  | { kind: "unknown-run" }
  | { kind: "illegal"; status: RunStatus }
  | {
      kind: "changed";
      run: RunRow;
      from: RunStatus;
      /** resume only: the batches not done, and whether they reached the queue. */
      batches?: number;
      enqueued?: { ok: true } | { ok: false; error: string };
      /** cancel only: the run's queued jobs removed from Redis, or why they could not be. */
      dropped?: DroppedJobs;
    };

/** What a cancel did to the run's queued jobs. */
export type DroppedJobs = { ok: true; jobs: number } | { ok: false; error: string; batches: number };

export interface ControlDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Puts batches on the queue (resume); may fail or time out when Redis is away. */
  enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
  /** Removes the queued jobs of batches (cancel); may fail or time out when Redis is away. */
  dropQueued?: (runId: string, batchIds: readonly string[]) => Promise<number>;
}

/**
 * Moves a run as the operator asked, records who did it in backfill.run_event, and logs `run.paused`,
 * `run.resumed` or `run.cancelled`. A resume retries the run's failed batches and puts every batch not
 * done back on the queue (Redis may have lost them, or a worker consumed them while the run was paused);
 * if Redis cannot take them now the run is running anyway and the next `backfill run` or worker resync
 * enqueues them. A run resumed with nothing left to do completes at once.
 */
export async function controlRun(input: ControlInput, deps: ControlDeps): Promise<ControlResult> {
  const rule = CONTROL_RULES[input.action];
  const before = await getRun(deps.db, input.runId);
  if (!before) return { kind: "unknown-run" };
  if (!rule.from.includes(before.status)) return { kind: "illegal", status: before.status };
  const detail = { command: input.action, ...(input.reason !== undefined ? { reason: input.reason } : {}) };
  const run = await transitionRun(deps.db, {
    runId: input.runId,
    from: rule.from,
    to: rule.to,
    actor: input.actor,
    detail,
  });
  if (!run) {
    // Someone else moved it between our read and our lock: report what it is now.
    const now = await getRun(deps.db, input.runId);
    return now ? { kind: "illegal", status: now.status } : { kind: "unknown-run" };
  }
  const log = deps.logger.child({ runId: input.runId });
  logEndedThrottle(log, run);
  const common = {
    actor: input.actor,
    from: before.status,
    ...(input.reason ? { reason: input.reason } : {}),
  };
  if (input.action === "pause") {
    logEvent(log, "warn", "run.paused", { ...common, status: run.status as "paused" }, `run ${run.status}`);
    return { kind: "changed", run, from: before.status };
  }
  if (input.action === "cancel") {
    logEvent(
      log,
      "warn",
      "run.cancelled",
      { ...common, status: run.status as "cancelled" },
      `run ${run.status}`,
    );
    return { kind: "changed", run, from: before.status, dropped: await dropQueued(deps, input.runId) };
  }
  await resetFailedBatches(deps.db, input.runId);
  const batchIds = await listUnfinishedBatches(deps.db, input.runId);
  let enqueued: { ok: true } | { ok: false; error: string } = { ok: true };
  if (batchIds.length > 0) {
    try {
      await deps.enqueue(input.runId, batchIds);
    } catch (err) {
      enqueued = { ok: false, error: errorMessage(err) };
    }
  }
  logEvent(
    log,
    "info",
    "run.resumed",
    {
      ...common,
      kind: run.kind,
      target: run.target,
      dryRun: run.dry_run,
      totalTags: run.total_tags ?? 0,
      batches: batchIds.length,
      batchSize: run.batch_size,
      enqueued: enqueued.ok,
      ...(enqueued.ok ? {} : { err: enqueued.error }),
    },
    enqueued.ok ? "run resumed" : "run resumed; batches not enqueued (Redis unavailable)",
  );
  const finished =
    batchIds.length === 0 ? await finishRunIfDone(deps.db, input.runId, input.actor, deps.logger) : undefined;
  return { kind: "changed", run: finished ?? run, from: before.status, batches: batchIds.length, enqueued };
}

/**
 * A cancelled run's jobs are taken off the queue: the ledger already says cancelled, so this only spares
 * the workers the deliveries they would skip. Redis away is not a failure of the cancel.
 */
async function dropQueued(deps: ControlDeps, runId: string): Promise<DroppedJobs | undefined> {
  if (!deps.dropQueued) return undefined;
  const batchIds = await listUnfinishedBatches(deps.db, runId, { includeFailed: true });
  if (batchIds.length === 0) return { ok: true, jobs: 0 };
  try {
    return { ok: true, jobs: await deps.dropQueued(runId, batchIds) };
  } catch (err) {
    return { ok: false, error: errorMessage(err), batches: batchIds.length };
  }
}
