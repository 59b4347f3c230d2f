import type { TagState } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One query, inside the write transaction after the tags are locked: what changed since the batch was
 * loaded (another worker mapped a tag, Quay wrote a tag manifest).
 */
export async function loadTagStates(db: Kysely<Database>, ids: readonly number[]): Promise<TagState[]> {
  if (ids.length === 0) return [];
  const result = await sql<{ id: number; mapped: boolean; tag_manifest_id: number | null; linked: boolean }>`
    SELECT rt.id, EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id) AS mapped,
           tm.id AS tag_manifest_id,
           EXISTS (SELECT 1 FROM tagmanifesttomanifest l WHERE l.tag_manifest_id = tm.id) AS linked
      FROM repositorytag rt
      LEFT JOIN tagmanifest tm ON tm.tag_id = rt.id
     WHERE rt.id = ANY(${[...ids]}::int[])`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    mapped: row.mapped,
    tagManifestId: row.tag_manifest_id,
    linked: row.linked,
  }));
}
