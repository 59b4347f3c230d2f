import type { RepositoryImage, RepositoryImageKey } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One query: images by (repository, v1 id), through Quay's unique index. Used for the rewrite rule (an
 * id the repository already holds over another blob is invalid) and to reuse rows synthesised before.
 */
export async function loadRepositoryImages(
  db: Kysely<Database>,
  keys: readonly RepositoryImageKey[],
): Promise<RepositoryImage[]> {
  if (keys.length === 0) return [];
  const result = await sql<{
    id: number;
    repository_id: number;
    docker_image_id: string;
    ancestors: string | null;
    content_checksum: string | null;
  }>`
    SELECT i.id, i.repository_id, i.docker_image_id, i.ancestors, s.content_checksum
      FROM unnest(${keys.map((k) => k.repositoryId)}::int[], ${keys.map((k) => k.dockerImageId)}::text[])
           AS k(repository_id, docker_image_id)
      JOIN image i ON i.repository_id = k.repository_id AND i.docker_image_id = k.docker_image_id
      LEFT JOIN imagestorage s ON s.id = i.storage_id`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    repositoryId: row.repository_id,
    dockerImageId: row.docker_image_id,
    ancestors: row.ancestors,
    checksum: row.content_checksum,
  }));
}
