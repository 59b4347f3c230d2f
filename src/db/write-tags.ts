import type { NewTag } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One statement: `tag` rows with preallocated ids, never hidden; returns the ids that were inserted. */
export async function insertTags(db: Kysely<Database>, rows: readonly NewTag[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ id: number }>`
    INSERT INTO tag (id, name, repository_id, manifest_id, lifetime_start_ms, lifetime_end_ms, hidden,
                     reversion, tag_kind_id)
    SELECT u.id, u.name, u.repository_id, u.manifest_id, u.lifetime_start_ms, u.lifetime_end_ms, false,
           u.reversion, u.tag_kind_id
      FROM unnest(${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.name)}::varchar[],
                  ${rows.map((r) => r.repositoryId)}::int[], ${rows.map((r) => r.manifestId)}::int[],
                  ${rows.map((r) => r.lifetimeStartMs)}::bigint[], ${rows.map((r) => r.lifetimeEndMs)}::bigint[],
                  ${rows.map((r) => r.reversion)}::boolean[], ${rows.map((r) => r.tagKindId)}::int[])
           AS u(id, name, repository_id, manifest_id, lifetime_start_ms, lifetime_end_ms, reversion, tag_kind_id)
    ON CONFLICT DO NOTHING
    RETURNING id`.execute(db);
  return result.rows.map((row) => row.id);
}
