import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

export interface ChainImage {
  id: number;
  repositoryId: number;
  storageId: number | null;
  checksum: string | null;
}

/** Images by database id with their storage's checksum: the leaves and ancestors of a chunk's tags. */
export async function loadChainImages(
  db: Kysely<Database>,
  imageIds: readonly number[],
): Promise<Map<number, ChainImage>> {
  if (imageIds.length === 0) return new Map();
  const result = await sql<{
    id: number;
    repository_id: number;
    storage_id: number | null;
    content_checksum: string | null;
  }>`
    SELECT i.id, i.repository_id, i.storage_id, s.content_checksum
    FROM image i LEFT JOIN imagestorage s ON s.id = i.storage_id
    WHERE i.id = ANY(${[...imageIds]}::int[])`.execute(db);
  return new Map(
    result.rows.map((row) => [
      row.id,
      {
        id: row.id,
        repositoryId: row.repository_id,
        storageId: row.storage_id,
        checksum: row.content_checksum,
      },
    ]),
  );
}
