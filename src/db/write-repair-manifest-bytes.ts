import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: a manifest row's bytes and media type, when the repair found them different from its
 * tag manifest's `json_data` (same digest: the caller checked it). Returns whether the row was updated.
 */
export async function updateManifestBytes(
  db: Kysely<Database>,
  row: { manifestId: number; digest: string; bytes: string; mediaTypeId: number },
): Promise<boolean> {
  const result = await sql`
    UPDATE manifest SET manifest_bytes = ${row.bytes}, media_type_id = ${row.mediaTypeId}
     WHERE id = ${row.manifestId} AND digest = ${row.digest}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
