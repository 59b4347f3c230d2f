import type { Kysely } from "kysely";
import { listRunningRunIds } from "../db/run-list-running.js";
import { getRun } from "../db/run-get.js";
import type { Database } from "../db/tables.js";
import { errorMessage } from "../error-message.js";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";
import { writeHeartbeatFile } from "./heartbeat-file.js";
import type { LeaseRegistry } from "./lease-registry.js";
import { statusRun } from "./run-status.js";

/** How often a worker says it is alive (and, for the `worker` command, logs every running run's progress). */
export const DEFAULT_HEARTBEAT_MS = 10_000;

export interface WorkerHeartbeatSetup {
  db: Kysely<Database>;
  logger: Logger;
  actor: string;
  leases: LeaseRegistry;
  intervalMs: number;
  /** Also log `run.progress` for every running run (the `worker` command does; `run` logs its own). */
  progress: boolean;
  /**
   * Rewrite this file at each beat whose check finds nothing wrong (worker-liveness.ts), for
   * `backfill health`; while the check fails the file ages.
   */
  file?: { path: string; problem: () => Promise<string | undefined> };
}

/**
 * The lines a dashboard lives on: `worker.heartbeat` at once and every `intervalMs` (a worker silent for
 * three of them is lost), then `run.progress` of every running run read from the ledger with the rate
 * `status` shows. One pass at a time; a failing read is logged and tried again next interval. Returns the
 * stop function.
 */
export function startWorkerHeartbeat(setup: WorkerHeartbeatSetup): () => void {
  let running = false;
  let stopped = false;
  const touchFile = setup.file ? heartbeatFileWriter(setup, setup.file, () => stopped) : () => {};
  const beat = () => {
    const lastBatchAt = setup.leases.lastDeletedAt?.toISOString() ?? null;
    const fields = { actor: setup.actor, held: setup.leases.size, lastBatchAt, intervalMs: setup.intervalMs };
    logEvent(setup.logger, "info", "worker.heartbeat", fields, "worker alive");
    touchFile();
    if (!setup.progress || running) return;
    running = true;
    logRunsProgress(setup, () => stopped)
      .catch((err: unknown) => {
        // A read cut short by the shutdown closing the pool is no news.
        if (stopped) return;
        logEvent(
          setup.logger,
          "warn",
          "worker.error",
          { source: "progress", err: errorMessage(err) },
          "could not read the progress of running runs; trying again later",
        );
      })
      .finally(() => {
        running = false;
      });
  };
  beat();
  const timer = setInterval(beat, setup.intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * One check at a time; the file is rewritten when it passes. A failing check (or write) is logged when it
 * starts failing, not at every beat: the outage itself has its own lines (db.unavailable, redis.error).
 */
function heartbeatFileWriter(
  setup: WorkerHeartbeatSetup,
  file: { path: string; problem: () => Promise<string | undefined> },
  stopped: () => boolean,
): () => void {
  let checking = false;
  let failing = false;
  const check = async () => {
    const problem = await file.problem();
    if (problem !== undefined) throw new Error(problem);
    if (stopped()) return;
    const record = { at: new Date().toISOString(), actor: setup.actor, intervalMs: setup.intervalMs };
    await writeHeartbeatFile(file.path, { ...record, held: setup.leases.size });
  };
  return () => {
    if (checking) return;
    checking = true;
    check()
      .then(() => {
        failing = false;
      })
      .catch((err: unknown) => {
        if (failing || stopped()) return;
        failing = true;
        logEvent(
          setup.logger,
          "warn",
          "worker.error",
          { source: "heartbeat", err: errorMessage(err) },
          `heartbeat file ${file.path} not renewed: backfill health will report this worker stale`,
        );
      })
      .finally(() => {
        checking = false;
      });
  };
}

/** One `run.progress` line per running run, with the fields `status` computes (run-status.ts). */
async function logRunsProgress(setup: WorkerHeartbeatSetup, stopped: () => boolean): Promise<void> {
  for (const runId of await listRunningRunIds(setup.db)) {
    if (stopped()) return;
    const row = await getRun(setup.db, runId);
    if (!row) continue;
    const run = await statusRun(setup.db, row);
    if (stopped()) return;
    logEvent(
      setup.logger,
      "info",
      "run.progress",
      {
        runId: run.id,
        kind: run.kind,
        target: run.target,
        status: run.status,
        done: run.tags.done,
        total: Math.max(run.totalTags, run.tags.done),
        batchesDone: run.batches.done,
        batchesTotal: run.batches.total,
        batchesPending: run.batches.pending,
        batchesRunning: run.batches.running,
        batchesFailed: run.batches.failed,
        broken: run.tags.backfilled_broken,
        failed: run.tags.failed,
        skipped: run.tags.skipped,
        ratePerSec: run.ratePerSec,
        etaMs: run.etaMs,
        throttledMs: run.throttle.totalMs,
        throttleReason: run.throttle.reason,
      },
      "run progress",
    );
  }
}
