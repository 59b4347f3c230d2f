import type { NewTagManifest } from "../backfill/store-write-rows.js";
import type { Kysely } from "kysely";
import type { Database } from "./tables.js";
import { chunkRows } from "./write-chunks.js";

/**
 * One statement (per 10,000 rows): `tagmanifest` rows for generated manifests and placeholders. One per
 * `repositorytag`: a tag that got one meanwhile is not inserted; returns (id, tag id) of those that were.
 */
export async function insertTagManifests(
  db: Kysely<Database>,
  rows: readonly NewTagManifest[],
): Promise<{ id: number; tagId: number }[]> {
  const out: { id: number; tagId: number }[] = [];
  for (const chunk of chunkRows(rows, 3)) {
    const inserted = await db
      .insertInto("tagmanifest")
      .values(chunk.map((r) => ({ tag_id: r.tagId, digest: r.digest, json_data: r.json })))
      .onConflict((oc) => oc.column("tag_id").doNothing())
      .returning(["id", "tag_id"])
      .execute();
    for (const row of inserted) out.push({ id: row.id, tagId: row.tag_id });
  }
  return out;
}
