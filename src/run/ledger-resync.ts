import type { Kysely } from "kysely";
import { listUnfinishedBatches } from "../db/batch-list-unfinished.js";
import { listRunningRunIds } from "../db/run-list-running.js";
import type { Database } from "../db/tables.js";
import type { Logger } from "../log.js";
import { errorMessage } from "../error-message.js";
import { logEvent } from "../log-events/log-event.js";
import { BatchSizeAdapter } from "./batch-size-adapter.js";

export interface LedgerResyncSetup {
  db: Kysely<Database>;
  logger: Logger;
  intervalMs: number;
  enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
}

/**
 * PostgreSQL is the truth, Redis only dispatches: every `intervalMs` the batches not done of every running
 * run go on the queue again. Deterministic job ids make that a no-op for jobs Redis still holds; it brings
 * back what a restarted or flushed Redis lost, and what `backfill resume` could not enqueue while Redis was
 * down. Each pass also adapts each run's batch size (batch-size-adapter.ts). One pass at a time; a failing pass (either service away) is logged and tried again next interval.
 * Returns the stop function.
 */
export function startLedgerResync(setup: LedgerResyncSetup): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const adapter = new BatchSizeAdapter(setup);
  const pass = async () => {
    for (const runId of await listRunningRunIds(setup.db)) {
      if (stopped) return;
      await setup.enqueue(runId, await listUnfinishedBatches(setup.db, runId));
      await adapter.tick(runId);
    }
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = pass()
      .catch((err: unknown) =>
        logEvent(
          setup.logger,
          "warn",
          "worker.error",
          { source: "resync", err: errorMessage(err) },
          "could not re-enqueue unfinished batches; trying again later",
        ),
      )
      .finally(() => {
        running = undefined;
      });
  }, setup.intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    // An enqueue waiting for an absent Redis must not hold the shutdown up.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise((resolve) => (grace = setTimeout(resolve, 2000)))]);
    clearTimeout(grace);
  };
}
