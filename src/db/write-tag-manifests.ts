import type { NewTagManifest } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import { copyIn, createCopyTable } from "./copy-in.js";
import { copyUnlessTaken } from "./copy-unless-taken.js";
import { allocateIds } from "./write-ids.js";
import type { Database } from "./tables.js";

/**
 * `tagmanifest` rows for generated manifests and placeholders, with COPY (the JSON texts, like
 * write-manifests.ts): straight into the table with ids from its sequence, or, when a tag got one
 * meanwhile, through a scratch table and `ON CONFLICT DO NOTHING`. One per `repositorytag`; returns
 * (id, tag id) of those inserted.
 */
export async function insertTagManifests(
  db: Kysely<Database>,
  rows: readonly NewTagManifest[],
): Promise<{ id: number; tagId: number }[]> {
  if (rows.length === 0) return [];
  const ids = await allocateIds(db, "tagmanifest", rows.length);
  const direct = await copyUnlessTaken(
    db,
    "tagmanifest",
    ["id", "tag_id", "digest", "json_data"],
    ["int4", "int4", "text", "text"],
    (function* () {
      for (const [i, r] of rows.entries()) yield [ids[i] ?? null, r.tagId, r.digest, r.json];
    })(),
  );
  if (direct) return rows.map((r, i) => ({ id: ids[i] ?? 0, tagId: r.tagId }));
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
