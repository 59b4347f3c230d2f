import { sql, type Transaction } from "kysely";
import type { RunFilters } from "../backfill/batch-work.js";
import { candidateCondition } from "./batch-cut.js";
import { SPLIT_LOCK_CLASS } from "./batch-release-contended.js";
import type { Database } from "./tables.js";

export interface RecutInput {
  runId: string;
  batchSize: number;
  filters: RunFilters;
  includeMapped: boolean;
  /** How many pending batches, next in line, are re-cut (default RECUT_WINDOW). */
  window?: number;
}

/**
 * The pending batches a size change re-cuts: the next ones to be claimed (lowest seq: the queue takes
 * batches in the order they were cut, and re-cut ones are queued last), not all. Re-cutting reads every
 * candidate tag of the batches it replaces while it holds the run row and the pending rows, so re-cutting
 * all of a 1,000,000-tag run's ~2,000 pending batches took over 20 s per change and stalled every claim
 * behind it (measured in the benchmark). Batches past the window keep their cut until a later change
 * reaches them; a claimed batch too large for the worker's heap is trimmed at claim time anyway.
 */
export const RECUT_WINDOW = 32;

export interface RecutResult {
  /** The pending batches replaced (deleted: a queued job of one finds it gone and ends). */
  removed: string[];
  /** The batches that took their tags, pending, for the queue. */
  added: string[];
}

/**
 * Cuts the next RECUT_WINDOW of a run's pending batches (in claim order) again to `batchSize`, inside the
 * caller's transaction; claimed, finished and later pending batches are left as they are. The pending rows are locked first (a claim racing the re-cut
 * waits, then finds its batch gone) and the run's splits are serialised with it (they number new batches
 * too). Range batches are re-cut per stretch of pending batches with no other batch of the run between
 * them, by the candidate ids inside their ranges, as the first cut does; id-list batches by their lists.
 * So every tag of a replaced batch is in exactly one new batch.
 */
export async function recutPendingBatches(
  trx: Transaction<Database>,
  input: RecutInput,
): Promise<RecutResult> {
  await sql`SELECT pg_advisory_xact_lock(${SPLIT_LOCK_CLASS}::int, (${input.runId}::bigint % 2147483647)::int)`.execute(
    trx,
  );
  const locked = await sql<{ id: string; tag_ids: number[] | null }>`
    SELECT id::text AS id, tag_ids::int[] AS tag_ids FROM backfill.batch
    WHERE run_id = ${input.runId}::bigint AND status = 'pending' ORDER BY seq, id
    LIMIT ${input.window ?? RECUT_WINDOW} FOR UPDATE`.execute(trx);
  const ids = locked.rows.map((r) => r.id);
  if (ids.length === 0) return { removed: [], added: [] };
  const lists = locked.rows.filter((r) => r.tag_ids !== null);
  const added =
    lists.length > 0
      ? await recutIdLists(
          trx,
          input,
          ids,
          lists.flatMap((r) => r.tag_ids ?? []),
        )
      : await recutRanges(trx, input, ids);
  return { removed: ids, added };
}

async function recutRanges(
  trx: Transaction<Database>,
  input: RecutInput,
  pendingIds: string[],
): Promise<string[]> {
  const where = candidateCondition(input.filters, input.includeMapped);
  const result = await sql<{ id: string }>`
    WITH ordered AS (
      SELECT id, lo, hi, id = ANY(${pendingIds}::bigint[]) AS replaced,
        sum(CASE WHEN id = ANY(${pendingIds}::bigint[]) THEN 0 ELSE 1 END) OVER (ORDER BY lo, id) AS stretch
      FROM backfill.batch WHERE run_id = ${input.runId}::bigint
    ), candidates AS (
      SELECT rt.id, o.stretch FROM ordered o JOIN repositorytag rt ON rt.id BETWEEN o.lo AND o.hi
      WHERE o.replaced AND ${where}
    ), numbered AS (
      SELECT id, stretch, (row_number() OVER (PARTITION BY stretch ORDER BY id) - 1) / ${input.batchSize} AS n
      FROM candidates
    ), groups AS (
      SELECT min(id) AS lo, max(id) AS hi FROM numbered GROUP BY stretch, n
    ), base AS (
      SELECT coalesce(max(seq), 0) AS seq FROM backfill.batch WHERE run_id = ${input.runId}::bigint
    ), removed AS (
      -- Runs once whether read or not, on the same snapshot as the reads above.
      DELETE FROM backfill.batch WHERE id = ANY(${pendingIds}::bigint[]) RETURNING id
    )
    INSERT INTO backfill.batch (run_id, seq, lo, hi, tag_ids, status)
    SELECT ${input.runId}::bigint, base.seq + row_number() OVER (ORDER BY g.lo), g.lo, g.hi, NULL, 'pending'
    FROM groups g CROSS JOIN base
    RETURNING id::text AS id`.execute(trx);
  return result.rows.map((r) => r.id);
}

async function recutIdLists(
  trx: Transaction<Database>,
  input: RecutInput,
  pendingIds: string[],
  tagIds: number[],
): Promise<string[]> {
  await sql`DELETE FROM backfill.batch WHERE id = ANY(${pendingIds}::bigint[])`.execute(trx);
  const sorted = [...new Set(tagIds)].sort((a, b) => a - b);
  const added: string[] = [];
  for (let i = 0; i < sorted.length; i += input.batchSize) {
    const chunk = sorted.slice(i, i + input.batchSize);
    const inserted = await sql<{ id: string }>`
      INSERT INTO backfill.batch (run_id, seq, lo, hi, tag_ids, status)
      SELECT ${input.runId}::bigint, coalesce(max(seq), 0) + 1, ${chunk[0] ?? 0}, ${chunk[chunk.length - 1] ?? 0},
        ${chunk}::bigint[], 'pending'
      FROM backfill.batch WHERE run_id = ${input.runId}::bigint
      RETURNING id::text AS id`.execute(trx);
    added.push(...inserted.rows.map((r) => r.id));
  }
  return added;
}
