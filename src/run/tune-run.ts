import type { Kysely } from "kysely";
import { tuneRunSettings, type RunSettingsChange, type TuneOutcome } from "../db/run-tune.js";
import type { Database, RunRow } from "../db/tables.js";
import type { RunFilters } from "../backfill/batch-work.js";
import { errorMessage } from "../error-message.js";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";
import { runFilters } from "./run-filters.js";

export interface TuneRequest {
  runId: string;
  /** `user@host` of the operator. */
  actor: string;
  reason?: string;
  change: RunSettingsChange;
}

export interface TuneDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Puts the re-cut batches on the queue; may fail when Redis is away (the ledger resync then does it). */
  enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
  /** Takes the replaced batches' jobs off the queue (a delivery of one would find it gone and end anyway). */
  dropQueued?: (runId: string, batchIds: readonly string[]) => Promise<number>;
}

export type TuneResult = TuneOutcome & { enqueued?: { ok: true } | { ok: false; error: string } };

/**
 * `backfill tune`: changes a running (or paused) run's settings, in force from each worker's next claim;
 * records it in the run's history and logs `run.tuned`. New batches of a re-cut are enqueued here, and by
 * the ledger resync should Redis not take them now.
 */
export async function tuneRun(request: TuneRequest, deps: TuneDeps): Promise<TuneResult> {
  const outcome = await tuneRunSettings(deps.db, { ...request, scopeOf: tuneScopeOf });
  return afterTune(request, outcome, deps);
}

/** The run's candidate filters, for re-cutting its pending batches. */
export function tuneScopeOf(run: RunRow): { filters: RunFilters; includeMapped: boolean } {
  return {
    filters: runFilters(run),
    includeMapped: (run.options as { includeMapped?: boolean } | null)?.includeMapped === true,
  };
}

/** After the tune committed: the re-cut batches go on the queue and `run.tuned` is logged. */
export async function afterTune(
  request: TuneRequest,
  outcome: TuneOutcome,
  deps: TuneDeps,
): Promise<TuneResult> {
  if (outcome.kind !== "tuned") return outcome;
  let enqueued: { ok: true } | { ok: false; error: string } | undefined;
  const recut = outcome.recut;
  if (recut && outcome.run.status === "running") {
    try {
      // Best effort: a job left behind finds its batch gone and ends.
      await deps.dropQueued?.(request.runId, recut.removed).catch(() => 0);
      if (recut.added.length > 0) await deps.enqueue(request.runId, recut.added);
      enqueued = { ok: true };
    } catch (err) {
      enqueued = { ok: false, error: errorMessage(err) };
    }
  }
  logEvent(
    deps.logger.child({ runId: request.runId }),
    "info",
    "run.tuned",
    {
      actor: request.actor,
      status: outcome.run.status,
      changes: outcome.changes,
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      ...(recut ? { recut: recut.removed.length, batches: recut.added.length } : {}),
      ...(enqueued ? { enqueued: enqueued.ok } : {}),
      ...(enqueued && !enqueued.ok ? { err: enqueued.error } : {}),
    },
    Object.keys(outcome.changes).length > 0 ? "run tuned" : "run tuned; nothing changed",
  );
  return { ...outcome, ...(enqueued ? { enqueued } : {}) };
}
