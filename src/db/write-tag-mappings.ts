import type { NewTagMapping } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: `tagtorepositorytag` rows. Both of its columns are unique: this index is the final word
 * on whether a legacy tag is mapped. Returns the `repositorytag` ids that were inserted.
 */
export async function insertTagMappings(
  db: Kysely<Database>,
  rows: readonly NewTagMapping[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ repository_tag_id: number }>`
    INSERT INTO tagtorepositorytag (repository_id, tag_id, repository_tag_id)
    SELECT * FROM unnest(${rows.map((r) => r.repositoryId)}::int[], ${rows.map((r) => r.tagId)}::int[],
                         ${rows.map((r) => r.repositoryTagId)}::int[])
    ON CONFLICT DO NOTHING
    RETURNING repository_tag_id`.execute(db);
  return result.rows.map((row) => row.repository_tag_id);
}
