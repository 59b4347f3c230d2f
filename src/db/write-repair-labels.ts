import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: the labels a tag manifest's `tagmanifestlabelmap` rows carried to one manifest are carried
 * to another (its `manifestlabel` rows created or reused, the maps repointed). The old manifest's label
 * rows stay until the placeholder they belong to is deleted. Returns the maps repointed.
 */
export async function repointTagManifestLabels(
  db: Kysely<Database>,
  row: { tagManifestId: number; repositoryId: number; manifestId: number },
): Promise<number> {
  const result = await sql`
    WITH maps AS (
      SELECT DISTINCT label_id FROM tagmanifestlabelmap WHERE tag_manifest_id = ${row.tagManifestId}
    ), inserted AS (
      INSERT INTO manifestlabel (repository_id, manifest_id, label_id)
      SELECT ${row.repositoryId}::int, ${row.manifestId}::int, label_id FROM maps
      ON CONFLICT (manifest_id, label_id) DO NOTHING
      RETURNING id, label_id
    ), labels AS (
      SELECT id, label_id FROM inserted
      UNION ALL
      SELECT id, label_id FROM manifestlabel
       WHERE manifest_id = ${row.manifestId} AND label_id IN (SELECT label_id FROM maps)
    )
    UPDATE tagmanifestlabelmap lm SET manifest_id = ${row.manifestId}, manifest_label_id = labels.id
      FROM labels
     WHERE lm.tag_manifest_id = ${row.tagManifestId} AND lm.label_id = labels.label_id`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
