import type { NewManifestLegacyImage } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One statement: `manifestlegacyimage` rows, one per manifest. Returns how many were inserted. */
export async function insertManifestLegacyImages(
  db: Kysely<Database>,
  rows: readonly NewManifestLegacyImage[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    INSERT INTO manifestlegacyimage (repository_id, manifest_id, image_id)
    SELECT * FROM unnest(${rows.map((r) => r.repositoryId)}::int[], ${rows.map((r) => r.manifestId)}::int[],
                         ${rows.map((r) => r.imageId)}::int[])
    ON CONFLICT (manifest_id) DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
