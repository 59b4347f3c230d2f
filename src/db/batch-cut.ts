import { sql, type Kysely, type RawBuilder } from "kysely";
import type { RunFilters } from "../backfill/batch-work.js";
import { parseRepositoryRef } from "../repository-ref.js";
import type { Database } from "./tables.js";

export interface CutBatchesInput {
  runId: string;
  batchSize: number;
  filters: RunFilters;
  /** An explicit list of repositorytag ids instead of the whole key space; kept on each batch row. */
  tagIds?: readonly number[] | null;
  /** Include tags that already have a tagtorepositorytag row (reprocess --force). */
  includeMapped?: boolean;
}

export interface CutBatchesResult {
  batches: number;
  totalTags: number;
}

/** The WHERE clause that makes a repositorytag a candidate of a run; shared with the remaining-tags count. */
export function candidateCondition(filters: RunFilters, includeMapped = false): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`NOT rt.hidden`];
  if (!includeMapped) {
    parts.push(sql`NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id)`);
  }
  if (filters.namespace !== undefined) {
    parts.push(sql`rt.repository_id IN (SELECT r.id FROM repository r JOIN "user" u ON u.id = r.namespace_user_id
      WHERE u.username = ${filters.namespace})`);
  }
  if (filters.repository !== undefined) {
    const { namespace: ns, name } = parseRepositoryRef(filters.repository);
    parts.push(sql`rt.repository_id IN (SELECT r.id FROM repository r JOIN "user" u ON u.id = r.namespace_user_id
      WHERE u.username = ${ns} AND r.name = ${name})`);
  }
  return sql.join(parts, sql` AND `);
}

/**
 * Cuts the run's candidates into batches of `batchSize` consecutive ids, entirely inside PostgreSQL (one
 * statement, no id list through Node), so memory does not grow with the table. A batch is a closed id
 * range [lo, hi]; with an explicit id list the batch also carries its ids.
 */
export async function cutBatches(db: Kysely<Database>, input: CutBatchesInput): Promise<CutBatchesResult> {
  const ids = input.tagIds ?? null;
  const where = candidateCondition(input.filters, input.includeMapped ?? false);
  const idFilter = ids ? sql`AND rt.id = ANY(${sql.val([...ids])}::int[])` : sql``;
  const tagIdsColumn = ids ? sql`array_agg(id ORDER BY id)` : sql`NULL::bigint[]`;
  const result = await sql<{ batches: number; total: number }>`
    WITH candidates AS (
      SELECT rt.id FROM repositorytag rt WHERE ${where} ${idFilter}
    ), numbered AS (
      SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${input.batchSize} AS seq FROM candidates
    ), inserted AS (
      INSERT INTO backfill.batch (run_id, seq, lo, hi, tag_ids, status)
      SELECT ${input.runId}::bigint, seq, min(id), max(id), ${tagIdsColumn}, 'pending'
      FROM numbered GROUP BY seq
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM inserted)::int AS batches, (SELECT count(*) FROM candidates)::int AS total
  `.execute(db);
  const row = result.rows[0];
  return { batches: row?.batches ?? 0, totalTags: row?.total ?? 0 };
}
