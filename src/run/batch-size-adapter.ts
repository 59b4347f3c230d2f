import type { Kysely } from "kysely";
import { loadRecentDoneBatches } from "../db/batch-recent-done.js";
import { getRun } from "../db/run-get.js";
import type { Database, RunRow } from "../db/tables.js";
import { errorMessage } from "../error-message.js";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";
import { decideBatchSize, type AdaptiveSettings, type AdaptiveState } from "./adaptive-batch-size.js";
import { tuneRun } from "./tune-run.js";

export interface BatchSizeAdapterDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Puts a re-cut's new batches on the queue. */
  enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
}

/** What the adapter remembers of one run between ticks. */
interface RunMemory {
  state: AdaptiveState;
  batchSize: number;
  /** finished_at of the newest batch measured. */
  seenThrough?: string;
  contended: number;
}

/** Batches read per tick: enough for the average, few enough for a cheap query. */
const SAMPLE_LIMIT = 20;

/**
 * A run's adaptive batch size settings, from the configuration it was started with (run.config, see
 * redactedConfig); undefined when it has none or adaptation is off.
 */
export function adaptiveSettingsOf(run: RunRow): AdaptiveSettings | undefined {
  const config = (run.config ?? {}) as {
    targetBatchMs?: unknown;
    minBatchSize?: unknown;
    maxBatchSize?: unknown;
  };
  const { targetBatchMs, minBatchSize, maxBatchSize } = config;
  if (typeof targetBatchMs !== "number" || targetBatchMs <= 0) return undefined;
  if (typeof minBatchSize !== "number" || typeof maxBatchSize !== "number") return undefined;
  return { targetMs: targetBatchMs, minSize: minBatchSize, maxSize: maxBatchSize };
}

/**
 * The adaptive batch size of the runs a process follows: at each tick it measures a run's newly finished
 * batches, asks the rule (adaptive-batch-size.ts) and, on a change, re-cuts the run's pending batches
 * through `backfill tune`'s path (actor `adaptive`, logged as `run.tuned` with the reason). Claimed
 * batches keep their range. A tick never throws: a failure is logged and the next tick tries again.
 */
export class BatchSizeAdapter {
  private readonly runs = new Map<string, RunMemory>();

  constructor(private readonly deps: BatchSizeAdapterDeps) {}

  async tick(runId: string): Promise<void> {
    try {
      await this.adapt(runId);
    } catch (err) {
      logEvent(
        this.deps.logger.child({ runId }),
        "warn",
        "worker.error",
        { source: "adaptive", err: errorMessage(err) },
        "could not adapt the batch size; trying again later",
      );
    }
  }

  private async adapt(runId: string): Promise<void> {
    const run = await getRun(this.deps.db, runId);
    const settings = run && run.status === "running" ? adaptiveSettingsOf(run) : undefined;
    if (!run || !settings) {
      this.runs.delete(runId);
      return;
    }
    const memory = this.runs.get(runId) ?? {
      state: { samplesSinceChange: 0 },
      batchSize: run.batch_size,
      contended: 0,
    };
    // Changed elsewhere (`backfill tune`, another process): measure the new size before the next change.
    if (memory.batchSize !== run.batch_size) memory.state = { ...memory.state, samplesSinceChange: 0 };
    const recent = await loadRecentDoneBatches(this.deps.db, runId, memory.seenThrough, SAMPLE_LIMIT);
    const decision = decideBatchSize({
      currentSize: run.batch_size,
      samples: recent.samples,
      contended: recent.contended > memory.contended,
      state: memory.state,
      settings,
    });
    const seenThrough = recent.samples.at(-1)?.finishedAt ?? memory.seenThrough;
    const next: RunMemory = {
      state: decision.state,
      batchSize: run.batch_size,
      contended: recent.contended,
      ...(seenThrough !== undefined ? { seenThrough } : {}),
    };
    this.runs.set(runId, next);
    if (!decision.change) return;
    const result = await tuneRun(
      {
        runId,
        actor: "adaptive",
        reason: decision.change.reason,
        change: { batchSize: decision.change.size },
      },
      { db: this.deps.db, logger: this.deps.logger, enqueue: this.deps.enqueue },
    );
    if (result.kind === "tuned") next.batchSize = result.run.batch_size;
  }
}
