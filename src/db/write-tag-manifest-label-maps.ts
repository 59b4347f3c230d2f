import type { NewTagManifestLabelMap } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: `tagmanifestlabelmap` rows. The table has no unique index, so a row is skipped when its
 * tag manifest label is mapped already; only the batch that holds the tag's lock writes these.
 */
export async function insertTagManifestLabelMaps(
  db: Kysely<Database>,
  rows: readonly NewTagManifestLabelMap[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    INSERT INTO tagmanifestlabelmap (tag_manifest_id, manifest_id, label_id, tag_manifest_label_id,
                                     manifest_label_id, broken_manifest)
    SELECT u.tag_manifest_id, u.manifest_id, u.label_id, u.tag_manifest_label_id, u.manifest_label_id, false
      FROM unnest(${rows.map((r) => r.tagManifestId)}::int[], ${rows.map((r) => r.manifestId)}::int[],
                  ${rows.map((r) => r.labelId)}::int[], ${rows.map((r) => r.tagManifestLabelId)}::int[],
                  ${rows.map((r) => r.manifestLabelId)}::int[])
           AS u(tag_manifest_id, manifest_id, label_id, tag_manifest_label_id, manifest_label_id)
     WHERE NOT EXISTS (SELECT 1 FROM tagmanifestlabelmap m WHERE m.tag_manifest_label_id = u.tag_manifest_label_id)`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}
