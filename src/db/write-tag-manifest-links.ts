import type { NewTagManifestLink } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One statement: `tagmanifesttomanifest` rows; returns the tag manifest ids that were linked. */
export async function insertTagManifestLinks(
  db: Kysely<Database>,
  rows: readonly NewTagManifestLink[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ tag_manifest_id: number }>`
    INSERT INTO tagmanifesttomanifest (tag_manifest_id, manifest_id, broken)
    SELECT * FROM unnest(${rows.map((r) => r.tagManifestId)}::int[], ${rows.map((r) => r.manifestId)}::int[],
                         ${rows.map((r) => r.broken)}::boolean[])
    ON CONFLICT (tag_manifest_id) DO NOTHING
    RETURNING tag_manifest_id`.execute(db);
  return result.rows.map((row) => row.tag_manifest_id);
}
