import type { ManifestKey, StoredManifestText } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One query: the tag manifests of each repository whose recorded digest is the given one, lowest tag
 * id first. Asked only for manifest rows about to be created, when no tag of that digest is mapped yet,
 * so every row found was stored before the backfill (by Quay or a client).
 */
export async function loadStoredManifestTexts(
  db: Kysely<Database>,
  keys: readonly ManifestKey[],
): Promise<StoredManifestText[]> {
  if (keys.length === 0) return [];
  const result = await sql<{ repository_id: number; digest: string; tag_id: number; json_data: string }>`
    SELECT rt.repository_id, tm.digest, tm.tag_id, tm.json_data
      FROM unnest(${keys.map((k) => k.repositoryId)}::int[], ${keys.map((k) => k.digest)}::text[])
           AS k(repository_id, digest)
      JOIN tagmanifest tm ON tm.digest = k.digest
      JOIN repositorytag rt ON rt.id = tm.tag_id AND rt.repository_id = k.repository_id
     ORDER BY rt.repository_id, tm.digest, tm.tag_id`.execute(db);
  return result.rows.map((row) => ({
    repositoryId: row.repository_id,
    digest: row.digest,
    tagId: row.tag_id,
    json: row.json_data,
  }));
}
