import type { InsertedManifest, NewManifest } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import { copyIn, createCopyTable } from "./copy-in.js";
import { copyUnlessTaken } from "./copy-unless-taken.js";
import { allocateIds } from "./write-ids.js";
import type { Database } from "./tables.js";

/**
 * `manifest` rows, one per (repository, digest), with COPY: the manifest texts are most of a batch's
 * bytes, and as bind parameters pg copies them into one growing message per statement. Straight into
 * `manifest` with ids taken from its sequence (four statements); when a key is taken meanwhile, through a
 * scratch table and `ON CONFLICT DO NOTHING` (three more), so an existing row is left as it is and not
 * returned (Quay's `populate_manifest` reuses it).
 */
export async function insertManifests(
  db: Kysely<Database>,
  rows: readonly NewManifest[],
): Promise<InsertedManifest[]> {
  if (rows.length === 0) return [];
  const ids = await allocateIds(db, "manifest", rows.length);
  const direct = await copyUnlessTaken(
    db,
    "manifest",
    ["id", "repository_id", "digest", "media_type_id", "manifest_bytes"],
    ["int4", "int4", "text", "int4", "text"],
    (function* () {
      for (const [i, r] of rows.entries())
        yield [ids[i] ?? null, r.repositoryId, r.digest, r.mediaTypeId, r.bytes];
    })(),
  );
  if (direct)
    return rows.map((r, i) => ({ id: ids[i] ?? 0, repositoryId: r.repositoryId, digest: r.digest }));
  await createCopyTable(
    db,
    "backfill_copy_manifest",
    "repository_id int, digest text, media_type_id int, manifest_bytes text",
    ["manifest_bytes"],
  );
  await copyIn(
    db,
    "pg_temp.backfill_copy_manifest",
    ["repository_id", "digest", "media_type_id", "manifest_bytes"],
    ["int4", "text", "int4", "text"],
    (function* () {
      for (const r of rows) yield [r.repositoryId, r.digest, r.mediaTypeId, r.bytes];
    })(),
  );
  // Emptied as it is read, so a second call in the same transaction starts from nothing.
  const result = await sql<{ id: number; repository_id: number; digest: string }>`
    WITH copied AS (DELETE FROM pg_temp.backfill_copy_manifest RETURNING *)
    INSERT INTO manifest (repository_id, digest, media_type_id, manifest_bytes)
    SELECT repository_id, digest, media_type_id, manifest_bytes FROM copied
    ON CONFLICT (repository_id, digest) DO NOTHING
    RETURNING id, repository_id, digest`.execute(db);
  return result.rows.map((row) => ({ id: row.id, repositoryId: row.repository_id, digest: row.digest }));
}
