import type { NewManifestLabel } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * Two statements: `manifestlabel` rows (a set per manifest), then the ids of every requested pair, new or
 * existing, for the `tagmanifestlabelmap` rows that point at them. Returns the inserted count and the ids.
 */
export async function insertManifestLabels(
  db: Kysely<Database>,
  rows: readonly NewManifestLabel[],
): Promise<{ inserted: number; ids: { id: number; manifestId: number; labelId: number }[] }> {
  if (rows.length === 0) return { inserted: 0, ids: [] };
  const manifestIds = rows.map((r) => r.manifestId);
  const labelIds = rows.map((r) => r.labelId);
  const insert = await sql`
    INSERT INTO manifestlabel (repository_id, manifest_id, label_id)
    SELECT * FROM unnest(${rows.map((r) => r.repositoryId)}::int[], ${manifestIds}::int[], ${labelIds}::int[])
    ON CONFLICT (manifest_id, label_id) DO NOTHING`.execute(db);
  const found = await sql<{ id: number; manifest_id: number; label_id: number }>`
    SELECT ml.id, ml.manifest_id, ml.label_id
      FROM unnest(${manifestIds}::int[], ${labelIds}::int[]) AS k(manifest_id, label_id)
      JOIN manifestlabel ml ON ml.manifest_id = k.manifest_id AND ml.label_id = k.label_id`.execute(db);
  return {
    inserted: Number(insert.numAffectedRows ?? 0),
    ids: found.rows.map((row) => ({ id: row.id, manifestId: row.manifest_id, labelId: row.label_id })),
  };
}
