import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: a placeholder tag manifest (`BROKEN-<id>`) gets the digest and bytes of the manifest its
 * fixed data now yields. Guarded by the old digest; returns whether the row was updated.
 */
export async function replacePlaceholderTagManifest(
  db: Kysely<Database>,
  row: { id: number; oldDigest: string; digest: string; json: string },
): Promise<boolean> {
  const result = await sql`
    UPDATE tagmanifest SET digest = ${row.digest}, json_data = ${row.json}
     WHERE id = ${row.id} AND digest = ${row.oldDigest}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
