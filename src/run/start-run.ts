import type { Kysely } from "kysely";
import { listUnfinishedBatches } from "../db/batch-list-unfinished.js";
import { resetFailedBatches } from "../db/batch-reset-failed.js";
import { completeRunIfDone } from "../db/run-complete-if-done.js";
import { createRun, type NewRun } from "../db/run-create.js";
import { findActiveRun } from "../db/run-find-active.js";
import type { Database, RunRow } from "../db/tables.js";
import { runTarget } from "./run-target.js";

export type StartRunInput = Omit<NewRun, "target">;

export interface StartedRun {
  run: RunRow;
  /** True when an active run of the same target existed and is continued instead of a new one. */
  resumed: boolean;
  /** The batches to put on the queue: every batch that is not done. */
  batchIds: string[];
}

/**
 * Creates the run for a target or, when one is active, resumes it: PostgreSQL is the truth, so a resume
 * re-enqueues every batch not done (deterministic job ids make that harmless for those still queued). A
 * paused run is returned as is with nothing to enqueue; the caller says so.
 */
export async function startOrResumeRun(db: Kysely<Database>, input: StartRunInput): Promise<StartedRun> {
  const target = runTarget(input.filters, input.dryRun, input.options.tagIds);
  // Twice at most: a creator that loses the race to the unique index finds the winner's run next time.
  for (let round = 0; round < 3; round++) {
    const active = await findActiveRun(db, target);
    if (active) {
      const runId = String(active.id);
      if (active.status === "paused") return { run: active, resumed: true, batchIds: [] };
      await resetFailedBatches(db, runId);
      const batchIds = await listUnfinishedBatches(db, runId);
      const finished = batchIds.length === 0 ? await completeRunIfDone(db, runId, input.actor) : undefined;
      return { run: finished ?? active, resumed: true, batchIds };
    }
    const created = await createRun(db, { ...input, target });
    if (created) {
      const runId = String(created.id);
      const batchIds = await listUnfinishedBatches(db, runId);
      const finished = batchIds.length === 0 ? await completeRunIfDone(db, runId, input.actor) : undefined;
      return { run: finished ?? created, resumed: false, batchIds };
    }
  }
  throw new Error(`could not create or find the active run of target '${target}'`);
}
