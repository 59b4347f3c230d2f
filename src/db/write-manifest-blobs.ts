import type { NewManifestBlob } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One statement: `manifestblob` rows, a set per manifest. Returns how many were inserted. */
export async function insertManifestBlobs(
  db: Kysely<Database>,
  rows: readonly NewManifestBlob[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    INSERT INTO manifestblob (repository_id, manifest_id, blob_id)
    SELECT * FROM unnest(${rows.map((r) => r.repositoryId)}::int[], ${rows.map((r) => r.manifestId)}::int[],
                         ${rows.map((r) => r.blobId)}::int[])
    ON CONFLICT (manifest_id, blob_id) DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
