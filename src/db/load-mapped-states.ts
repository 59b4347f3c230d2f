import type { MappedState } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One query, inside the write transaction after the tags are locked (or read-only for a dry run). */
export async function loadMappedStates(db: Kysely<Database>, ids: readonly number[]): Promise<MappedState[]> {
  if (ids.length === 0) return [];
  const result = await sql<{
    repository_tag_id: number;
    tag_id: number | null;
    tag_manifest_ref: number | null;
    tag_manifest_ref_digest: string | null;
    tm_id: number | null;
    tm_digest: string | null;
    tm_json: string | null;
    tm_label_maps: number | null;
    link_id: number | null;
    link_manifest_id: number | null;
    link_broken: boolean | null;
    m_repository_id: number | null;
    m_digest: string | null;
    m_media_type: string | null;
    m_bytes_if_different: string | null;
    m_other_users: number | null;
  }>`
    SELECT rt.id AS repository_tag_id, t.id AS tag_id, t.manifest_id AS tag_manifest_ref,
           tmf.digest AS tag_manifest_ref_digest,
           tm.id AS tm_id, tm.digest AS tm_digest, tm.json_data AS tm_json,
           (SELECT count(*) FROM tagmanifestlabelmap lm WHERE lm.tag_manifest_id = tm.id)::int AS tm_label_maps,
           l.id AS link_id, l.manifest_id AS link_manifest_id, l.broken AS link_broken,
           mf.repository_id AS m_repository_id, mf.digest AS m_digest, mt.name AS m_media_type,
           CASE WHEN mf.manifest_bytes IS DISTINCT FROM tm.json_data THEN mf.manifest_bytes END
             AS m_bytes_if_different,
           CASE WHEN mf.id IS NOT NULL THEN
             (SELECT count(*) FROM tagmanifesttomanifest o WHERE o.manifest_id = mf.id AND o.id <> l.id)
             + (SELECT count(*) FROM tag ot WHERE ot.manifest_id = mf.id AND ot.id IS DISTINCT FROM t.id)
             + (SELECT count(*) FROM manifestchild c WHERE c.child_manifest_id = mf.id)
           END::int AS m_other_users
      FROM repositorytag rt
      JOIN tagtorepositorytag map ON map.repository_tag_id = rt.id
      LEFT JOIN tag t ON t.id = map.tag_id
      LEFT JOIN manifest tmf ON tmf.id = t.manifest_id
      LEFT JOIN tagmanifest tm ON tm.tag_id = rt.id
      LEFT JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id
      LEFT JOIN manifest mf ON mf.id = l.manifest_id
      LEFT JOIN mediatype mt ON mt.id = mf.media_type_id
     WHERE rt.id = ANY(${[...ids]}::int[])
     ORDER BY rt.id`.execute(db);
  return result.rows.map((row) => ({
    repositoryTagId: row.repository_tag_id,
    tag:
      row.tag_id === null
        ? null
        : { id: row.tag_id, manifestId: row.tag_manifest_ref, manifestDigest: row.tag_manifest_ref_digest },
    tagManifest:
      row.tm_id === null
        ? null
        : {
            id: row.tm_id,
            digest: row.tm_digest ?? "",
            json: row.tm_json ?? "",
            labelMaps: row.tm_label_maps ?? 0,
          },
    link:
      row.link_id === null || row.link_manifest_id === null
        ? null
        : { id: row.link_id, manifestId: row.link_manifest_id, broken: row.link_broken ?? false },
    manifest:
      row.link_manifest_id === null || row.m_digest === null
        ? null
        : {
            id: row.link_manifest_id,
            repositoryId: row.m_repository_id ?? 0,
            digest: row.m_digest,
            mediaType: row.m_media_type,
            bytes: row.m_bytes_if_different ?? row.tm_json ?? "",
            otherUsers: row.m_other_users ?? 0,
          },
  }));
}
