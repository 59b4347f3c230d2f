import { sql, type Kysely } from "kysely";
import type { TagManifestLabel } from "../backfill/batch-input.js";
import type { Database } from "./tables.js";

/**
 * One query: the labels of the given tag manifests that have no `tagmanifestlabelmap` row yet (Quay's
 * `_backfill_labels` skips the mapped ones too).
 */
export async function loadTagManifestLabels(
  db: Kysely<Database>,
  tagManifestIds: readonly number[],
): Promise<TagManifestLabel[]> {
  if (tagManifestIds.length === 0) return [];
  const result = await sql<{ id: number; annotated_id: number; label_id: number; repository_id: number }>`
    SELECT l.id, l.annotated_id, l.label_id, l.repository_id
      FROM tagmanifestlabel l
     WHERE l.annotated_id = ANY(${[...tagManifestIds]}::int[])
       AND NOT EXISTS (SELECT 1 FROM tagmanifestlabelmap m WHERE m.tag_manifest_label_id = l.id)
     ORDER BY l.id`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    tagManifestId: row.annotated_id,
    labelId: row.label_id,
    repositoryId: row.repository_id,
  }));
}
