import type { NewTagManifest } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import { copyIn, createCopyTable } from "./copy-in.js";
import type { Database } from "./tables.js";

/**
 * Three statements: `tagmanifest` rows for generated manifests and placeholders, streamed with COPY into a
 * scratch table and inserted from it (the JSON texts, like write-manifests.ts). One per `repositorytag`: a
 * tag that got one meanwhile is not inserted; returns (id, tag id) of those that were.
 */
export async function insertTagManifests(
  db: Kysely<Database>,
  rows: readonly NewTagManifest[],
): Promise<{ id: number; tagId: number }[]> {
  if (rows.length === 0) return [];
  await createCopyTable(db, "backfill_copy_tagmanifest", "tag_id int, digest text, json_data text", [
    "json_data",
  ]);
  await copyIn(
    db,
    "pg_temp.backfill_copy_tagmanifest",
    ["tag_id", "digest", "json_data"],
    ["int4", "text", "text"],
    (function* () {
      for (const r of rows) yield [r.tagId, r.digest, r.json];
    })(),
  );
  const result = await sql<{ id: number; tag_id: number }>`
    WITH copied AS (DELETE FROM pg_temp.backfill_copy_tagmanifest RETURNING *)
    INSERT INTO tagmanifest (tag_id, digest, json_data)
    SELECT tag_id, digest, json_data FROM copied
    ON CONFLICT (tag_id) DO NOTHING
    RETURNING id, tag_id`.execute(db);
  return result.rows.map((row) => ({ id: row.id, tagId: row.tag_id }));
}
