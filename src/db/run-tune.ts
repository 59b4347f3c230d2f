import { sql, type Kysely, type Transaction } from "kysely";
import type { RunFilters } from "../backfill/batch-work.js";
import { recutPendingBatches, type RecutResult } from "./batch-recut.js";
import type { Database, RunRow, RunStatus } from "./tables.js";

/** What `backfill tune` may change; an absent field is left as it is, null clears it. */
export interface RunSettingsChange {
  batchSize?: number;
  maxReplicaLagS?: number | null;
  window?: { window: string; zone: string } | null;
  /** The run's target batch duration; 0: no adaptation. */
  targetBatchMs?: number;
  /** At most this many of the run's batches claimed at once, across all workers; null: no cap. */
  maxConcurrency?: number | null;
  /** The run's nice ratio; null: the process's BACKFILL_NICE_RATIO. */
  niceRatio?: number | null;
}

export interface TuneInput {
  runId: string;
  actor: string;
  reason?: string;
  change: RunSettingsChange;
  /** The run's candidate filters, for re-cutting its pending batches. */
  scopeOf: (run: RunRow) => { filters: RunFilters; includeMapped: boolean };
}

export type SettingValue = number | string | null;

export type TuneOutcome =
  | { kind: "unknown-run" }
  | { kind: "finished"; status: RunStatus }
  | {
      kind: "tuned";
      run: RunRow;
      /** Only the settings whose value changed. */
      changes: Record<string, { from: SettingValue; to: SettingValue }>;
      recut?: RecutResult;
    };

const FINISHED: readonly RunStatus[] = ["completed", "failed", "cancelled"];

/**
 * Changes an unfinished run's settings in one transaction, the run row locked: its batch size (the pending
 * batches re-cut to it), its own replica-lag line, its time window; and records who did it, with the old
 * and new values, in backfill.run_event (a row whose status does not change). Workers read the run row at
 * every claim, so the change is in force from the next batch.
 */
export async function tuneRunSettings(db: Kysely<Database>, input: TuneInput): Promise<TuneOutcome> {
  return db.transaction().execute((trx) => tuneRunSettingsIn(trx, input));
}

/** tuneRunSettings inside the caller's transaction (the adaptive batch size decides and tunes in one). */
export async function tuneRunSettingsIn(trx: Transaction<Database>, input: TuneInput): Promise<TuneOutcome> {
  const locked = await sql<RunRow>`SELECT * FROM backfill.run WHERE id = ${input.runId} FOR UPDATE`.execute(
    trx,
  );
  const before = locked.rows[0];
  if (!before) return { kind: "unknown-run" };
  if (FINISHED.includes(before.status)) return { kind: "finished", status: before.status };
  const changes = diff(before, input.change);
  let recut: RecutResult | undefined;
  if (changes.batchSize && input.change.batchSize !== undefined) {
    recut = await recutPendingBatches(trx, {
      runId: input.runId,
      batchSize: input.change.batchSize,
      ...input.scopeOf(before),
    });
  }
  const window = input.change.window;
  const updated = await trx
    .updateTable("backfill.run")
    .set({
      updated_at: sql`now()`,
      ...(input.change.batchSize !== undefined ? { batch_size: input.change.batchSize } : {}),
      ...(input.change.maxReplicaLagS !== undefined
        ? { max_replica_lag_s: input.change.maxReplicaLagS }
        : {}),
      ...(window !== undefined
        ? { time_window: window?.window ?? null, time_zone: window?.zone ?? null }
        : {}),
      ...(input.change.targetBatchMs !== undefined ? { target_batch_ms: input.change.targetBatchMs } : {}),
      ...(input.change.maxConcurrency !== undefined ? { max_concurrency: input.change.maxConcurrency } : {}),
      ...(input.change.niceRatio !== undefined ? { nice_ratio: input.change.niceRatio } : {}),
    })
    .where("id", "=", input.runId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const detail = {
    command: "tune",
    changes,
    ...(recut ? { recut: recut.removed.length, batches: recut.added.length } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
  };
  await trx
    .insertInto("backfill.run_event")
    .values({
      run_id: input.runId,
      from_status: before.status,
      to_status: before.status,
      actor: input.actor,
      detail: JSON.stringify(detail),
    })
    .execute();
  return { kind: "tuned", run: updated, changes, ...(recut ? { recut } : {}) };
}

function diff(
  run: RunRow,
  change: RunSettingsChange,
): Record<string, { from: SettingValue; to: SettingValue }> {
  const out: Record<string, { from: SettingValue; to: SettingValue }> = {};
  const put = (name: string, from: SettingValue, to: SettingValue): void => {
    if (from !== to) out[name] = { from, to };
  };
  if (change.batchSize !== undefined) put("batchSize", run.batch_size, change.batchSize);
  if (change.maxReplicaLagS !== undefined)
    put("maxReplicaLagS", run.max_replica_lag_s, change.maxReplicaLagS);
  if (change.targetBatchMs !== undefined) {
    const recorded = (run.config as { targetBatchMs?: unknown } | null)?.targetBatchMs;
    put(
      "targetBatchMs",
      run.target_batch_ms ?? (typeof recorded === "number" ? recorded : null),
      change.targetBatchMs,
    );
  }
  if (change.maxConcurrency !== undefined) put("maxConcurrency", run.max_concurrency, change.maxConcurrency);
  if (change.niceRatio !== undefined) put("niceRatio", run.nice_ratio, change.niceRatio);
  if (change.window !== undefined) {
    const show = (w: string | null, z: string | null): string | null =>
      w === null ? null : `${w} ${z ?? "UTC"}`;
    put(
      "window",
      show(run.time_window, run.time_zone),
      show(change.window?.window ?? null, change.window?.zone ?? null),
    );
  }
  return out;
}
