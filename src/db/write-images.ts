import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

export interface NewImage {
  id: number;
  dockerImageId: string;
  repositoryId: number;
  ancestors: string;
  storageId: number;
  created: Date | null;
  comment: string | null;
  command: string | null;
  aggregateSize: number | null;
  v1JsonMetadata: string;
  parentId: number | null;
}

/**
 * One statement: synthesised `image` rows with preallocated ids. A row whose (repository, v1 id) exists
 * meanwhile is not inserted; the ids of the rows that were are returned.
 */
export async function insertImages(db: Kysely<Database>, rows: readonly NewImage[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ id: number }>`
    INSERT INTO image (id, docker_image_id, repository_id, ancestors, storage_id, created, comment, command,
                       aggregate_size, v1_json_metadata, parent_id)
    SELECT * FROM unnest(
      ${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.dockerImageId)}::varchar[],
      ${rows.map((r) => r.repositoryId)}::int[], ${rows.map((r) => r.ancestors)}::varchar[],
      ${rows.map((r) => r.storageId)}::int[], ${rows.map((r) => r.created)}::timestamp[],
      ${rows.map((r) => r.comment)}::text[], ${rows.map((r) => r.command)}::text[],
      ${rows.map((r) => r.aggregateSize)}::bigint[], ${rows.map((r) => r.v1JsonMetadata)}::text[],
      ${rows.map((r) => r.parentId)}::int[])
    ON CONFLICT (repository_id, docker_image_id) DO NOTHING
    RETURNING id`.execute(db);
  return result.rows.map((row) => row.id);
}
