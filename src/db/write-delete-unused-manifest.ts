import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: deletes a manifest row (with its blob, legacy image and label rows) only if nothing
 * references it any more: no tag manifest link, no `tag`, no manifest list either way, no label map.
 * Used for the `BROKEN-<id>` placeholder a repaired tag leaves behind. Returns whether it was deleted.
 */
export async function deleteUnusedManifest(db: Kysely<Database>, manifestId: number): Promise<boolean> {
  const result = await sql<{ id: number }>`
    WITH gone AS (
      SELECT m.id FROM manifest m
       WHERE m.id = ${manifestId}
         AND NOT EXISTS (SELECT 1 FROM tagmanifesttomanifest l WHERE l.manifest_id = m.id)
         AND NOT EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = m.id)
         AND NOT EXISTS (SELECT 1 FROM manifestchild c WHERE c.manifest_id = m.id OR c.child_manifest_id = m.id)
         AND NOT EXISTS (SELECT 1 FROM tagmanifestlabelmap lm WHERE lm.manifest_id = m.id)
         AND NOT EXISTS (SELECT 1 FROM tagmanifestlabelmap lm
                           JOIN manifestlabel ml ON ml.id = lm.manifest_label_id WHERE ml.manifest_id = m.id)
       FOR UPDATE
    ), legacy AS (
      DELETE FROM manifestlegacyimage WHERE manifest_id IN (SELECT id FROM gone)
    ), blobs AS (
      DELETE FROM manifestblob WHERE manifest_id IN (SELECT id FROM gone)
    ), labels AS (
      DELETE FROM manifestlabel WHERE manifest_id IN (SELECT id FROM gone)
    )
    DELETE FROM manifest WHERE id IN (SELECT id FROM gone) RETURNING id`.execute(db);
  return result.rows.length === 1;
}
