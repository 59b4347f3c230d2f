import type { ExistingManifest, ManifestKey } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One query: `manifest` rows by (repository, digest), Quay's unique key. */
export async function loadExistingManifests(
  db: Kysely<Database>,
  keys: readonly ManifestKey[],
): Promise<ExistingManifest[]> {
  if (keys.length === 0) return [];
  const result = await sql<{ id: number; repository_id: number; digest: string; manifest_bytes: string }>`
    SELECT m.id, m.repository_id, m.digest, m.manifest_bytes
      FROM unnest(${keys.map((k) => k.repositoryId)}::int[], ${keys.map((k) => k.digest)}::text[])
           AS k(repository_id, digest)
      JOIN manifest m ON m.repository_id = k.repository_id AND m.digest = k.digest`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    repositoryId: row.repository_id,
    digest: row.digest,
    bytes: row.manifest_bytes,
  }));
}
