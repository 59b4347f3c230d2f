import { sql, type Kysely } from "kysely";
import type { Database, RunKind, RunRow } from "./tables.js";
import { cutBatches } from "./batch-cut.js";
import type { RunFilters } from "../backfill/batch-work.js";

export interface NewRun {
  kind: RunKind;
  target: string;
  filters: RunFilters;
  options: { tagIds?: readonly number[]; includeMapped?: boolean; force?: boolean };
  dryRun: boolean;
  batchSize: number;
  startedBy: object;
  config: object;
  actor: string;
  /** Throttle the run outside this daily window (`22:00-06:00`) of local time in `zone`. */
  window?: { window: string; zone: string } | undefined;
  /** The run's own replica-lag line (`run --max-lag`), in place of the process's. */
  maxReplicaLagS?: number | undefined;
  /** At most this many of its batches claimed at once across all workers (`run --concurrency`). */
  maxConcurrency?: number | undefined;
  /** The run's own nice ratio; absent: the process's BACKFILL_NICE_RATIO. */
  niceRatio?: number | undefined;
}

const UNIQUE_VIOLATION = "23505";

/**
 * Creates a run, cuts its batches and marks it running, in one transaction: a crash leaves either
 * nothing or a complete run. Undefined when another active run holds the target (the unique partial
 * index run_one_active_per_target; a concurrent creator waits on it, then gets the violation): the
 * caller resumes that run instead.
 */
export async function createRun(db: Kysely<Database>, run: NewRun): Promise<RunRow | undefined> {
  try {
    return await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto("backfill.run")
        .values({
          kind: run.kind,
          status: "pending",
          target: run.target,
          filters: JSON.stringify(run.filters),
          options: JSON.stringify(run.options),
          dry_run: run.dryRun,
          batch_size: run.batchSize,
          started_by: JSON.stringify(run.startedBy),
          config: JSON.stringify(run.config),
          ...(run.window ? { time_window: run.window.window, time_zone: run.window.zone } : {}),
          ...(run.maxReplicaLagS !== undefined ? { max_replica_lag_s: run.maxReplicaLagS } : {}),
          ...(run.maxConcurrency !== undefined ? { max_concurrency: run.maxConcurrency } : {}),
          ...(run.niceRatio !== undefined ? { nice_ratio: run.niceRatio } : {}),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const runId = String(inserted.id);
      const cut = await cutBatches(trx, {
        runId,
        batchSize: run.batchSize,
        filters: run.filters,
        tagIds: run.options.tagIds ?? null,
        includeMapped: run.options.includeMapped ?? false,
      });
      const updated = await sql<RunRow>`
        UPDATE backfill.run SET status = 'running', total_tags = ${cut.totalTags}, started_at = now(),
          updated_at = now()
        WHERE id = ${runId} RETURNING *
      `.execute(trx);
      const row = updated.rows[0];
      if (!row) throw new Error(`run ${runId} vanished inside its own creating transaction`);
      await trx
        .insertInto("backfill.run_event")
        .values({
          run_id: runId,
          from_status: null,
          to_status: "running",
          actor: run.actor,
          detail: JSON.stringify({ batches: cut.batches, totalTags: cut.totalTags }),
        })
        .execute();
      return row;
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === UNIQUE_VIOLATION) return undefined;
    throw err;
  }
}
