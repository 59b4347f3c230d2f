import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

export interface NewTagManifest {
  tagId: number;
  digest: string;
  json: string;
}

/**
 * One statement: `tagmanifest` rows for generated manifests and placeholders. One per `repositorytag`:
 * a tag that got one meanwhile is not inserted; returns (id, tag id) of those that were.
 */
export async function insertTagManifests(
  db: Kysely<Database>,
  rows: readonly NewTagManifest[],
): Promise<{ id: number; tagId: number }[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ id: number; tag_id: number }>`
    INSERT INTO tagmanifest (tag_id, digest, json_data)
    SELECT * FROM unnest(${rows.map((r) => r.tagId)}::int[], ${rows.map((r) => r.digest)}::varchar[],
                         ${rows.map((r) => r.json)}::text[])
    ON CONFLICT (tag_id) DO NOTHING
    RETURNING id, tag_id`.execute(db);
  return result.rows.map((row) => ({ id: row.id, tagId: row.tag_id }));
}
