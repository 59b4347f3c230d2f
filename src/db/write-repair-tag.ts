import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One statement: a `tag` row pointed at its mapping's manifest. Returns whether the row was updated. */
export async function pointTagAtManifest(
  db: Kysely<Database>,
  row: { tagId: number; oldManifestId: number | null; manifestId: number },
): Promise<boolean> {
  const result = await sql`
    UPDATE tag SET manifest_id = ${row.manifestId}
     WHERE id = ${row.tagId} AND manifest_id IS NOT DISTINCT FROM ${row.oldManifestId}::int`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
