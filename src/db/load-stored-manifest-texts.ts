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
  // Digest first, then each match's tag by primary key: digests are near unique per tag, while a
  // repository may hold thousands of tags. tagmanifest grows fast during a backfill, and with its
  // statistics behind, a plain join went through every tag of each key's repository (0.6 s per batch at
  // 300,000 tags instead of 10 ms), or, without OFFSET 0 (which keeps the subquery per key), read all of
  // tagmanifest (75 ms at 20,000 tags). The per-key lookup and the correlated subplan pin the index path.
  const result = await sql<{ repository_id: number; digest: string; tag_id: number; json_data: string }>`
    SELECT k.repository_id, tm.digest, tm.tag_id, tm.json_data
      FROM unnest(${keys.map((k) => k.repositoryId)}::int[], ${keys.map((k) => k.digest)}::text[])
           AS k(repository_id, digest)
      CROSS JOIN LATERAL (
        SELECT t.digest, t.tag_id, t.json_data
          FROM tagmanifest t
         WHERE t.digest = k.digest
           AND (SELECT rt.repository_id FROM repositorytag rt WHERE rt.id = t.tag_id) = k.repository_id
        OFFSET 0) tm
     ORDER BY k.repository_id, tm.digest, tm.tag_id`.execute(db);
  return result.rows.map((row) => ({
    repositoryId: row.repository_id,
    digest: row.digest,
    tagId: row.tag_id,
    json: row.json_data,
  }));
}
