import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

export interface DoneBatchSample {
  /** Tags the batch settled (every outcome counted). */
  size: number;
  /** From its first claim to its end, as the ledger has it. */
  durationMs: number;
  /** Its finished_at, as PostgreSQL prints it (full precision, for the next `after`). */
  finishedAt: string;
}

/**
 * The last `limit` done batches of a run finished after `after` (all of them without it), with their tag
 * counts and durations: what the adaptive batch size measures (src/run/adaptive-batch-size.ts).
 */
export async function loadRecentDoneBatches(
  db: Kysely<Database>,
  runId: string,
  after: string | undefined,
  limit: number,
): Promise<DoneBatchSample[]> {
  const rows = await sql<{ size: number; duration_ms: number; finished_at: string }>`
    SELECT size, duration_ms, finished_at FROM (
      SELECT (SELECT coalesce(sum(value::text::int), 0) FROM jsonb_each(counts) WHERE jsonb_typeof(value) = 'number')::int AS size,
        (extract(epoch FROM finished_at - started_at) * 1000)::float8 AS duration_ms,
        finished_at::text AS finished_at, finished_at AS at
      FROM backfill.batch
      WHERE run_id = ${runId}::bigint AND status = 'done' AND started_at IS NOT NULL AND finished_at IS NOT NULL
        AND (${after ?? null}::timestamptz IS NULL OR finished_at > ${after ?? null}::timestamptz)
      ORDER BY finished_at DESC LIMIT ${limit}
    ) recent ORDER BY at`.execute(db);
  return rows.rows.map((r) => ({ size: r.size, durationMs: r.duration_ms, finishedAt: r.finished_at }));
}
