import type { NewManifestBlob } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import { copyIn, createCopyTable } from "./copy-in.js";
import type { Database } from "./tables.js";

/**
 * Three statements: `manifestblob` rows, a set per manifest, streamed with COPY into a scratch table and
 * inserted from it (a batch has thousands). Returns how many were inserted.
 */
export async function insertManifestBlobs(
  db: Kysely<Database>,
  rows: readonly NewManifestBlob[],
): Promise<number> {
  if (rows.length === 0) return 0;
  await createCopyTable(db, "backfill_copy_manifestblob", "repository_id int, manifest_id int, blob_id int");
  await copyIn(
    db,
    "pg_temp.backfill_copy_manifestblob",
    ["repository_id", "manifest_id", "blob_id"],
    ["int4", "int4", "int4"],
    (function* () {
      for (const r of rows) yield [r.repositoryId, r.manifestId, r.blobId];
    })(),
  );
  const result = await sql`
    WITH copied AS (DELETE FROM pg_temp.backfill_copy_manifestblob RETURNING *)
    INSERT INTO manifestblob (repository_id, manifest_id, blob_id)
    SELECT repository_id, manifest_id, blob_id FROM copied
    ON CONFLICT (manifest_id, blob_id) DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
