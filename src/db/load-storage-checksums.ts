import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One query: `imagestorage.content_checksum` by id (a missing row or null checksum is left out). */
export async function loadStorageChecksums(
  db: Kysely<Database>,
  ids: readonly number[],
): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const result = await sql<{ id: number; content_checksum: string | null }>`
    SELECT id, content_checksum FROM imagestorage WHERE id = ANY(${[...new Set(ids)]}::int[])`.execute(db);
  const out = new Map<number, string>();
  for (const row of result.rows) if (row.content_checksum !== null) out.set(row.id, row.content_checksum);
  return out;
}
