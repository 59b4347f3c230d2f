import { sql, type Kysely } from "kysely";
import type { ChainImage } from "../backfill/batch-input.js";
import type { Database } from "./tables.js";

/**
 * One query: `image` rows by database id with their `imagestorage`. Called for the tags' own images,
 * then once more for every ancestor id of all their chains.
 */
export async function loadImagesById(db: Kysely<Database>, ids: readonly number[]): Promise<ChainImage[]> {
  if (ids.length === 0) return [];
  const result = await sql<{
    id: number;
    docker_image_id: string;
    repository_id: number;
    ancestors: string | null;
    storage_id: number | null;
    v1_json_metadata: string | null;
    created: Date | null;
    comment: string | null;
    command: string | null;
    aggregate_size: number | string | null;
    storage_found: boolean;
    uploading: boolean | null;
    content_checksum: string | null;
  }>`
    SELECT i.id, i.docker_image_id, i.repository_id, i.ancestors, i.storage_id, i.v1_json_metadata,
           i.created, i.comment, i.command, i.aggregate_size,
           s.id IS NOT NULL AS storage_found, s.uploading, s.content_checksum
      FROM image i
      LEFT JOIN imagestorage s ON s.id = i.storage_id
     WHERE i.id = ANY(${[...new Set(ids)]}::int[])`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    dockerImageId: row.docker_image_id,
    repositoryId: row.repository_id,
    ancestors: row.ancestors,
    storageId: row.storage_id,
    v1JsonMetadata: row.v1_json_metadata,
    created: row.created,
    comment: row.comment,
    command: row.command,
    aggregateSize: row.aggregate_size === null ? null : Number(row.aggregate_size),
    storage: row.storage_found ? { uploading: row.uploading, checksum: row.content_checksum } : null,
  }));
}
