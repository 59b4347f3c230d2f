import type { ManifestKey, ManifestParts } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One query: manifests by (repository, digest) with their `manifestblob` and `manifestlegacyimage` rows. */
export async function loadManifestParts(
  db: Kysely<Database>,
  keys: readonly ManifestKey[],
): Promise<ManifestParts[]> {
  if (keys.length === 0) return [];
  const result = await sql<{
    id: number;
    repository_id: number;
    digest: string;
    manifest_bytes: string;
    blobs: { storageId: number; checksum: string | null }[] | null;
    legacy_image_id: number | null;
  }>`
    SELECT m.id, m.repository_id, m.digest, m.manifest_bytes,
           (SELECT json_agg(json_build_object('storageId', mb.blob_id, 'checksum', s.content_checksum)
                            ORDER BY mb.blob_id)
              FROM manifestblob mb LEFT JOIN imagestorage s ON s.id = mb.blob_id
             WHERE mb.manifest_id = m.id) AS blobs,
           (SELECT li.image_id FROM manifestlegacyimage li WHERE li.manifest_id = m.id) AS legacy_image_id
      FROM (SELECT DISTINCT * FROM unnest(${keys.map((k) => k.repositoryId)}::int[],
                                          ${keys.map((k) => k.digest)}::text[])) AS k(repository_id, digest)
      JOIN manifest m ON m.repository_id = k.repository_id AND m.digest = k.digest`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    repositoryId: row.repository_id,
    digest: row.digest,
    bytes: row.manifest_bytes,
    blobs: row.blobs ?? [],
    legacyImageId: row.legacy_image_id,
  }));
}
