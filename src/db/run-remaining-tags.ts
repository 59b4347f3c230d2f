import { sql, type Kysely } from "kysely";
import type { RunFilters } from "../backfill/batch-work.js";
import { candidateCondition } from "./batch-cut.js";
import type { Database } from "./tables.js";

/**
 * Candidates of a run's target still without a mapping, among the ids its batches covered (tags created
 * after the run was cut belong to the next run). The `run` exit code rests on this being zero.
 */
export async function countRemainingTags(
  db: Kysely<Database>,
  runId: string,
  filters: RunFilters,
): Promise<number> {
  const result = await sql<{ remaining: number }>`
    SELECT count(*)::int AS remaining FROM repositorytag rt
    WHERE ${candidateCondition(filters)}
      AND EXISTS (SELECT 1 FROM backfill.batch b WHERE b.run_id = ${runId} AND rt.id BETWEEN b.lo AND b.hi
                  AND (b.tag_ids IS NULL OR rt.id = ANY(b.tag_ids)))
  `.execute(db);
  return result.rows[0]?.remaining ?? 0;
}
