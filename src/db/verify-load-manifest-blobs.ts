import { sql, type Kysely } from "kysely";
import type { ManifestBlob } from "../verify/mapped-tag.js";
import type { Database } from "./tables.js";

interface Row {
  manifest_id: number;
  blob_id: number;
  repository_id: number;
  content_checksum: string | null;
  uploading: boolean | null;
  in_repository: boolean;
}

/** The manifestblob rows of the chunk's manifests, with their storage and whether the repository uses it. */
export async function loadManifestBlobs(
  db: Kysely<Database>,
  manifestIds: readonly number[],
): Promise<Map<number, ManifestBlob[]>> {
  const byManifest = new Map<number, ManifestBlob[]>();
  if (manifestIds.length === 0) return byManifest;
  const result = await sql<Row>`
    SELECT mb.manifest_id, mb.blob_id, mb.repository_id, s.content_checksum, s.uploading,
      EXISTS (SELECT 1 FROM image i WHERE i.storage_id = mb.blob_id AND i.repository_id = m.repository_id)
        AS in_repository
    FROM manifestblob mb
    JOIN manifest m ON m.id = mb.manifest_id
    LEFT JOIN imagestorage s ON s.id = mb.blob_id
    WHERE mb.manifest_id = ANY(${[...manifestIds]}::int[])
    ORDER BY mb.manifest_id, mb.blob_id`.execute(db);
  for (const row of result.rows) {
    const blobs = byManifest.get(row.manifest_id) ?? [];
    blobs.push({
      manifestId: row.manifest_id,
      blobId: row.blob_id,
      repositoryId: row.repository_id,
      checksum: row.content_checksum,
      uploading: row.uploading,
      inRepository: row.in_repository,
    });
    byManifest.set(row.manifest_id, blobs);
  }
  return byManifest;
}
