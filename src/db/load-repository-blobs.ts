import type { RepositoryBlob, RepositoryBlobKey } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One query: for each (repository, checksum), a non-uploading storage under an image of that repository
 * (Quay's `get_repo_blob_by_digest`), the lowest id when several match so reruns pick the same one.
 */
export async function loadRepositoryBlobs(
  db: Kysely<Database>,
  keys: readonly RepositoryBlobKey[],
): Promise<RepositoryBlob[]> {
  if (keys.length === 0) return [];
  const result = await sql<{ repository_id: number; content_checksum: string; storage_id: number }>`
    SELECT DISTINCT ON (k.repository_id, k.checksum)
           k.repository_id, k.checksum AS content_checksum, s.id AS storage_id
      FROM unnest(${keys.map((k) => k.repositoryId)}::int[], ${keys.map((k) => k.checksum)}::text[])
           AS k(repository_id, checksum)
      JOIN imagestorage s ON s.content_checksum = k.checksum AND s.uploading = false
      JOIN image i ON i.storage_id = s.id AND i.repository_id = k.repository_id
     ORDER BY k.repository_id, k.checksum, s.id`.execute(db);
  return result.rows.map((row) => ({
    repositoryId: row.repository_id,
    checksum: row.content_checksum,
    storageId: row.storage_id,
  }));
}
