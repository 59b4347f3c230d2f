import type { ExistingTag, TagKey } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One query: `tag` rows by (repository, name, lifetime_end_ms), null matching null. The unique index
 * treats nulls as distinct, so ON CONFLICT cannot find an alive tag that Quay already wrote; this can.
 */
export async function loadExistingTags(
  db: Kysely<Database>,
  keys: readonly TagKey[],
): Promise<ExistingTag[]> {
  if (keys.length === 0) return [];
  const result = await sql<{
    id: number;
    repository_id: number;
    name: string;
    lifetime_end_ms: number | string | null;
    mapped_to: number | null;
  }>`
    SELECT t.id, t.repository_id, t.name, t.lifetime_end_ms, m.repository_tag_id AS mapped_to
      FROM unnest(${keys.map((k) => k.repositoryId)}::int[], ${keys.map((k) => k.name)}::text[],
                  ${keys.map((k) => k.lifetimeEndMs)}::bigint[]) AS k(repository_id, name, lifetime_end_ms)
      JOIN tag t ON t.repository_id = k.repository_id AND t.name = k.name
                AND t.lifetime_end_ms IS NOT DISTINCT FROM k.lifetime_end_ms
      LEFT JOIN tagtorepositorytag m ON m.tag_id = t.id
     ORDER BY t.id`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    repositoryId: row.repository_id,
    name: row.name,
    lifetimeEndMs: row.lifetime_end_ms === null ? null : Number(row.lifetime_end_ms),
    mappedTo: row.mapped_to,
  }));
}
