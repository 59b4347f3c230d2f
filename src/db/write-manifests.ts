import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

export interface NewManifest {
  repositoryId: number;
  digest: string;
  mediaTypeId: number;
  bytes: string;
}

export interface InsertedManifest {
  id: number;
  repositoryId: number;
  digest: string;
}

/**
 * One statement: `manifest` rows; one per (repository, digest), so an existing row is left as it is and
 * not returned (Quay's `populate_manifest` reuses it).
 */
export async function insertManifests(
  db: Kysely<Database>,
  rows: readonly NewManifest[],
): Promise<InsertedManifest[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ id: number; repository_id: number; digest: string }>`
    INSERT INTO manifest (repository_id, digest, media_type_id, manifest_bytes)
    SELECT * FROM unnest(${rows.map((r) => r.repositoryId)}::int[], ${rows.map((r) => r.digest)}::varchar[],
                         ${rows.map((r) => r.mediaTypeId)}::int[], ${rows.map((r) => r.bytes)}::text[])
    ON CONFLICT (repository_id, digest) DO NOTHING
    RETURNING id, repository_id, digest`.execute(db);
  return result.rows.map((row) => ({ id: row.id, repositoryId: row.repository_id, digest: row.digest }));
}
