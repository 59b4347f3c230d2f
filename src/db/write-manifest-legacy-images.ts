import type { NewManifestLegacyImage } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import { intArray } from "./array-literal.js";
import type { Database } from "./tables.js";

/** One statement: `manifestlegacyimage` rows, one per manifest. Returns how many were inserted. */
export async function insertManifestLegacyImages(
  db: Kysely<Database>,
  rows: readonly NewManifestLegacyImage[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    INSERT INTO manifestlegacyimage (repository_id, manifest_id, image_id)
    SELECT * FROM unnest(${intArray(rows, (r) => r.repositoryId)}::int[], ${intArray(rows, (r) => r.manifestId)}::int[],
                         ${intArray(rows, (r) => r.imageId)}::int[])
    ON CONFLICT (manifest_id) DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
