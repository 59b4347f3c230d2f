import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

export interface RunReprocessSummary {
  /** Tags whose latest outcome this run recorded, by what happened: mapped (was unmapped), repaired, … */
  counts: Record<"mapped" | "repaired" | "unchanged" | "refused" | "failed", number>;
  /** Refused and failed tags, id order, at most `limit`. */
  problems: { repositoryTagId: number; display: string; kind: string; detail: string | null }[];
}

/** Two queries over backfill.tag_outcome: what a reprocess run did, for its closing report. */
export async function loadRunReprocessSummary(
  db: Kysely<Database>,
  runId: string,
  limit: number,
): Promise<RunReprocessSummary> {
  const counts = { mapped: 0, repaired: 0, unchanged: 0, refused: 0, failed: 0 };
  const grouped = await sql<{ kind: keyof typeof counts; n: number }>`
    SELECT CASE WHEN reprocess IS NOT NULL THEN reprocess WHEN outcome = 'failed' THEN 'failed' ELSE 'mapped' END
             AS kind, count(*)::int AS n
      FROM backfill.tag_outcome WHERE run_id = ${runId} AND (outcome <> 'skipped' OR reprocess IS NOT NULL)
     GROUP BY 1`.execute(db);
  for (const row of grouped.rows) counts[row.kind] += row.n;
  const problems = await sql<{ id: number; display: string; kind: string; detail: string | null }>`
    SELECT o.repository_tag_id AS id, coalesce(u.username || '/', '') || r.name || ':' || rt.name AS display,
           coalesce(o.reprocess, o.outcome) AS kind, coalesce(o.reprocess_detail, o.detail) AS detail
      FROM backfill.tag_outcome o
      JOIN repositorytag rt ON rt.id = o.repository_tag_id
      JOIN repository r ON r.id = rt.repository_id
      LEFT JOIN "user" u ON u.id = r.namespace_user_id
     WHERE o.run_id = ${runId}
       AND (o.reprocess IN ('refused', 'failed') OR (o.reprocess IS NULL AND o.outcome = 'failed'))
     ORDER BY o.repository_tag_id LIMIT ${limit}`.execute(db);
  return {
    counts,
    problems: problems.rows.map((row) => ({
      repositoryTagId: row.id,
      display: row.display,
      kind: row.kind,
      detail: row.detail,
    })),
  };
}
