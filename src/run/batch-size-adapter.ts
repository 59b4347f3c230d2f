import { sql, type Kysely, type Transaction } from "kysely";
import { loadRecentDoneBatches } from "../db/batch-recent-done.js";
import { getRun } from "../db/run-get.js";
import { tuneRunSettingsIn, type TuneOutcome } from "../db/run-tune.js";
import type { Database, RunRow } from "../db/tables.js";
import { errorMessage } from "../error-message.js";
import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";
import { decideBatchSize, type AdaptiveSettings, type AdaptiveState } from "./adaptive-batch-size.js";
import { afterTune, tuneScopeOf, type TuneRequest } from "./tune-run.js";

export interface BatchSizeAdapterDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Puts a re-cut's new batches on the queue. */
  enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
}

/** What the run's decider remembers between ticks (backfill.run.adaptive_state, migration 0007). */
export interface StoredAdaptiveState {
  state: AdaptiveState;
  /** The batch size the samples since the last change were measured at. */
  size?: number;
  /** finished_at of the newest batch measured. */
  seenThrough?: string;
  /** backfill.run.contended_deliveries at the last decision. */
  contendedSeen: number;
  /** When contention last shrank the size (PostgreSQL's clock): batches cut before it are of the old size. */
  shrunkAt?: string;
}

/** Batches read per tick: enough for the average, few enough for a cheap query. */
const SAMPLE_LIMIT = 20;

/** The advisory-lock class of a run's adaptive decision ("BFA1"): one decider per run at a time. */
export const ADAPT_LOCK_CLASS = 0x42464131;

/**
 * A run's adaptive batch size settings: the target of `backfill tune --target-batch-seconds` when set,
 * else the one in the configuration it was started with (run.config, see redactedConfig), and the bounds
 * recorded there; undefined when it has none or adaptation is off.
 */
export function adaptiveSettingsOf(run: RunRow): AdaptiveSettings | undefined {
  const config = (run.config ?? {}) as {
    targetBatchMs?: unknown;
    minBatchSize?: unknown;
    maxBatchSize?: unknown;
  };
  const { minBatchSize, maxBatchSize } = config;
  const targetBatchMs = run.target_batch_ms ?? config.targetBatchMs;
  if (typeof targetBatchMs !== "number" || targetBatchMs <= 0) return undefined;
  if (typeof minBatchSize !== "number" || typeof maxBatchSize !== "number") return undefined;
  return { targetMs: targetBatchMs, minSize: minBatchSize, maxSize: maxBatchSize };
}

/** The stored state, read leniently: anything unreadable starts afresh. */
export function storedAdaptiveState(raw: unknown): StoredAdaptiveState {
  const r = (raw !== null && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const msPerTag = num(r.msPerTag);
  const size = num(r.size);
  return {
    state: {
      ...(msPerTag !== undefined ? { msPerTag } : {}),
      samplesSinceChange: num(r.samplesSinceChange) ?? 0,
    },
    ...(size !== undefined ? { size } : {}),
    ...(typeof r.seenThrough === "string" ? { seenThrough: r.seenThrough } : {}),
    contendedSeen: num(r.contendedSeen) ?? 0,
    ...(typeof r.shrunkAt === "string" ? { shrunkAt: r.shrunkAt } : {}),
  };
}

/**
 * The adaptive batch size of the runs a process follows. Every process following a run ticks, but one
 * decides per tick: the decision runs in a transaction holding the run's advisory lock (tried, not waited
 * for: a process that does not get it leaves this tick to the holder), reads and writes the state stored on
 * the run (so a new process continues the same average) and, on a change, re-cuts the run's pending
 * batches through `backfill tune`'s path in the same transaction (actor `adaptive`, logged as `run.tuned`
 * with the reason). Claimed batches keep their range. A tick never throws: a failure is logged and the
 * next tick tries again.
 */
export class BatchSizeAdapter {
  constructor(private readonly deps: BatchSizeAdapterDeps) {}

  async tick(runId: string): Promise<void> {
    await this.decideAndTune(runId, (trx) => decide(trx, runId));
  }

  /**
   * A delivery of `batchId` just ended in a lock or statement timeout (and was given back): the size
   * halves now, not at the next tick, so the run's next batches are smaller. The lock is waited for here,
   * as the holder may have read the run before this contention was counted. A batch cut before the last
   * such shrink was of the old size: its timeout is no news and changes nothing, so a lock that times out
   * every worker at once halves the size once, not once per worker. Never throws, as tick.
   */
  async contended(runId: string, batchId: string): Promise<void> {
    await this.decideAndTune(runId, (trx) => decide(trx, runId, batchId));
  }

  private async decideAndTune(
    runId: string,
    decision: (trx: Transaction<Database>) => Promise<Tuned | undefined>,
  ): Promise<void> {
    try {
      const decided = await this.deps.db.transaction().execute(decision);
      if (decided) await afterTune(decided.request, decided.outcome, this.deps);
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
}

type Tuned = { request: TuneRequest; outcome: TuneOutcome };

/**
 * One decision for the run, inside `trx`; the tune made, if any, for afterTune once committed. With
 * `contendedBatch` (BatchSizeAdapter.contended) the lock is waited for and that batch's timeout is the
 * contention weighed, if it is news; else a rise of the run's contended deliveries since the last decision.
 */
async function decide(
  trx: Transaction<Database>,
  runId: string,
  contendedBatch?: string,
): Promise<Tuned | undefined> {
  const key = sql`${ADAPT_LOCK_CLASS}::int, (${runId}::bigint % 2147483647)::int`;
  if (contendedBatch !== undefined) {
    await sql`SELECT pg_advisory_xact_lock(${key})`.execute(trx);
  } else {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${key}) AS ok`.execute(trx);
    if (lock.rows[0]?.ok !== true) return undefined;
  }
  const run = await getRun(trx, runId);
  const settings = run && run.status === "running" ? adaptiveSettingsOf(run) : undefined;
  if (!run || !settings) return undefined;
  const stored = storedAdaptiveState(run.adaptive_state);
  const contendedNow = Number(run.contended_deliveries);
  const clock = await contentionClock(trx, stored.shrunkAt, contendedBatch);
  const contended = contendedBatch !== undefined ? clock.batchIsNews : contendedNow > stored.contendedSeen;
  if (contendedBatch !== undefined && !contended) {
    // Counted as seen, so a tick does not halve for it either; the samples are left for the tick.
    await storeState(trx, runId, { ...stored, contendedSeen: contendedNow });
    return undefined;
  }
  // Changed by `backfill tune`: measure the new size before the next change.
  const state = stored.size === run.batch_size ? stored.state : { ...stored.state, samplesSinceChange: 0 };
  const recent = await loadRecentDoneBatches(trx, runId, stored.seenThrough, SAMPLE_LIMIT);
  const decision = decideBatchSize({
    currentSize: run.batch_size,
    samples: recent,
    contended,
    state,
    settings,
  });
  let tuned: Tuned | undefined;
  if (decision.change) {
    const request: TuneRequest = {
      runId,
      actor: "adaptive",
      reason: decision.change.reason,
      change: { batchSize: decision.change.size },
    };
    tuned = { request, outcome: await tuneRunSettingsIn(trx, { ...request, scopeOf: tuneScopeOf }) };
  }
  const seenThrough = recent.at(-1)?.finishedAt ?? stored.seenThrough;
  const shrunkAt = contended && tuned?.outcome.kind === "tuned" ? clock.now : stored.shrunkAt;
  await storeState(trx, runId, {
    state: decision.state,
    size: tuned?.outcome.kind === "tuned" ? tuned.outcome.run.batch_size : run.batch_size,
    contendedSeen: contendedNow,
    ...(seenThrough !== undefined ? { seenThrough } : {}),
    ...(shrunkAt !== undefined ? { shrunkAt } : {}),
  });
  return tuned;
}

/**
 * The transaction's time (the created_at of the batches a re-cut in it makes) and whether the contended
 * batch was cut since the last shrink for contention; a batch gone was re-cut meanwhile: no news either.
 */
async function contentionClock(
  trx: Transaction<Database>,
  shrunkAt: string | undefined,
  batchId: string | undefined,
): Promise<{ now: string; batchIsNews: boolean }> {
  const row = await sql<{ now: string; news: boolean | null }>`
    SELECT now()::text AS now,
      (SELECT created_at >= coalesce(${shrunkAt ?? null}::timestamptz, '-infinity')
         FROM backfill.batch WHERE id = ${batchId ?? null}::bigint) AS news`.execute(trx);
  return { now: row.rows[0]?.now ?? "", batchIsNews: row.rows[0]?.news === true };
}

async function storeState(trx: Transaction<Database>, runId: string, next: StoredAdaptiveState) {
  const { state, ...rest } = next;
  await trx
    .updateTable("backfill.run")
    .set({ adaptive_state: JSON.stringify({ ...state, ...rest }) })
    .where("id", "=", runId)
    .execute();
}
