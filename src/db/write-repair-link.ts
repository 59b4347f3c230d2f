import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: a `tagmanifesttomanifest` row repointed and/or its `broken` flag set. Guarded by the
 * manifest it pointed at when the repair was planned; returns whether the row was updated.
 */
export async function updateTagManifestLink(
  db: Kysely<Database>,
  row: { id: number; oldManifestId: number; manifestId: number; broken: boolean | null },
): Promise<boolean> {
  const result = await sql`
    UPDATE tagmanifesttomanifest
       SET manifest_id = ${row.manifestId}, broken = coalesce(${row.broken}::boolean, broken)
     WHERE id = ${row.id} AND manifest_id = ${row.oldManifestId}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
