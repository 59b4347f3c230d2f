import type { NewManifestBlob } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import { copyIn, createCopyTable } from "./copy-in.js";
import { copyUnlessTaken } from "./copy-unless-taken.js";
import type { Database } from "./tables.js";
import type { CopyValue } from "./copy-binary.js";

/**
 * `manifestblob` rows, a set per manifest (a batch has thousands), with COPY: straight into the table
 * (three statements), or, when a (manifest, blob) pair exists already, through a scratch table and
 * `ON CONFLICT DO NOTHING`. Returns how many were inserted.
 */
export async function insertManifestBlobs(
  db: Kysely<Database>,
  rows: readonly NewManifestBlob[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = ["repository_id", "manifest_id", "blob_id"];
  const direct = await copyUnlessTaken(db, "manifestblob", columns, ["int4", "int4", "int4"], blobRows(rows));
  if (direct) return rows.length;
  await createCopyTable(db, "backfill_copy_manifestblob", "repository_id int, manifest_id int, blob_id int");
  await copyIn(db, "pg_temp.backfill_copy_manifestblob", columns, ["int4", "int4", "int4"], blobRows(rows));
  const result = await sql`
    WITH copied AS (DELETE FROM pg_temp.backfill_copy_manifestblob RETURNING *)
    INSERT INTO manifestblob (repository_id, manifest_id, blob_id)
    SELECT repository_id, manifest_id, blob_id FROM copied
    ON CONFLICT (manifest_id, blob_id) DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

function* blobRows(rows: readonly NewManifestBlob[]): Generator<CopyValue[]> {
  for (const r of rows) yield [r.repositoryId, r.manifestId, r.blobId];
}
