import type { Kysely } from "kysely";
import { batchProgress } from "../db/batch-progress.js";
import { completeRunIfDone } from "../db/run-complete-if-done.js";
import type { TransitionedRun } from "../db/run-transition.js";
import type { Database, RunRow } from "../db/tables.js";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";

/**
 * Ends the run when its last batch is settled and logs `run.completed` once: only the caller whose
 * transition wins gets the row, so concurrent workers never log it twice.
 */
export async function finishRunIfDone(
  db: Kysely<Database>,
  runId: string,
  actor: string,
  logger: Logger,
): Promise<RunRow | undefined> {
  const finished = await completeRunIfDone(db, runId, actor);
  if (!finished) return undefined;
  // A run can end while throttled (its last batches settled by deliveries already past the gate).
  logEndedThrottle(logger.child({ runId }), finished);
  const progress = await batchProgress(db, runId);
  const startedAt = finished.started_at ? new Date(finished.started_at).getTime() : Date.now();
  const finishedAt = finished.finished_at ? new Date(finished.finished_at).getTime() : Date.now();
  logEvent(
    logger,
    finished.status === "completed" ? "info" : "error",
    "run.completed",
    {
      runId,
      kind: finished.kind,
      status: finished.status as "completed" | "failed",
      dryRun: finished.dry_run,
      totalTags: finished.total_tags ?? 0,
      counts: {
        backfilled: progress.tags.backfilled,
        backfilled_broken: progress.tags.backfilled_broken,
        skipped: progress.tags.skipped,
        failed: progress.tags.failed,
      },
      byReason: progress.byReason,
      batches: progress.batches,
      durationMs: Math.max(0, finishedAt - startedAt),
      error: finished.error,
    },
    finished.status === "completed" ? "run completed" : "run failed",
  );
  return finished;
}

/** `throttle.ended` for the throttled stretch a run's transition closed, if it closed one. */
export function logEndedThrottle(log: Logger, run: TransitionedRun): void {
  if (!run.endedThrottle) return;
  logEvent(log, "info", "throttle.ended", run.endedThrottle, `throttle ended: run ${run.status}`);
}
