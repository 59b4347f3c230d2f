import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";
import { scopeCondition, type VerifyScope } from "./verify-scope.js";

/**
 * A deterministic pseudo-random sample of mapped repositorytag ids: ordered by a hash of the id, so the same
 * database gives the same sample on every run (a re-check after a repair looks at the same tags). Returned
 * in id order, so the chunks read like a full pass.
 */
export async function sampleMappedTagIds(
  db: Kysely<Database>,
  size: number,
  scope: VerifyScope,
): Promise<number[]> {
  const result = await sql<{ id: number }>`
    SELECT ttr.repository_tag_id AS id
    FROM tagtorepositorytag ttr
    JOIN repositorytag rt ON rt.id = ttr.repository_tag_id
    WHERE true ${scopeCondition(sql`rt.repository_id`, scope)}
    ORDER BY md5('backfill-verify:' || ttr.repository_tag_id::text), ttr.repository_tag_id
    LIMIT ${size}`.execute(db);
  return result.rows.map((row) => row.id).sort((a, b) => a - b);
}

/** How many mapped tags are in scope (for progress). */
export async function countMappedTags(db: Kysely<Database>, scope: VerifyScope): Promise<number> {
  const result = await sql<{ count: string }>`
    SELECT count(*) AS count
    FROM tagtorepositorytag ttr
    JOIN repositorytag rt ON rt.id = ttr.repository_tag_id
    WHERE true ${scopeCondition(sql`rt.repository_id`, scope)}`.execute(db);
  return Number(result.rows[0]?.count ?? 0);
}
