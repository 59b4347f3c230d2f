import type { BatchTagSelection } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { LegacyTag } from "../backfill/batch-input.js";
import type { Database } from "./tables.js";
import { tagSelectionFilter } from "./tag-selection-filter.js";

/**
 * One query: the `repositorytag` rows of a batch that match the filters, with their repository and
 * namespace names, whether they are mapped, their stored `tagmanifest` and its `tagmanifesttomanifest`
 * row. Hidden and mapped rows come too (reported as skipped) but without the manifest text, which can be
 * megabytes and is read only for candidates (mapped tags are candidates with `includeMapped`).
 */
export async function loadBatchTags(
  db: Kysely<Database>,
  selection: BatchTagSelection,
): Promise<LegacyTag[]> {
  const { namespace, repository, ids } = tagSelectionFilter(selection);
  const result = await sql<{
    id: number;
    name: string;
    repository_id: number;
    namespace: string | null;
    repository: string;
    image_id: number;
    lifetime_start_ts: number;
    signing_start_ts: number | null;
    lifetime_end_ts: number | null;
    hidden: boolean;
    reversion: boolean;
    mapped: boolean;
    tag_manifest_id: number | null;
    tag_manifest_digest: string | null;
    tag_manifest_json: string | null;
    link_manifest_id: number | null;
    link_broken: boolean | null;
    link_digest: string | null;
  }>`
    SELECT rt.id, rt.name, rt.repository_id, u.username AS namespace, r.name AS repository, rt.image_id,
           rt.lifetime_start_ts, rt.lifetime_end_ts, rt.hidden, rt.reversion,
           CASE WHEN NOT rt.hidden AND (m.id IS NULL OR ${selection.includeMapped === true}::boolean) THEN
             (SELECT min(v.lifetime_start_ts) FROM repositorytag v
               WHERE v.repository_id = rt.repository_id AND v.name = rt.name AND v.image_id = rt.image_id
                 AND NOT v.hidden)
           END AS signing_start_ts,
           m.id IS NOT NULL AS mapped,
           tm.id AS tag_manifest_id, tm.digest AS tag_manifest_digest,
           CASE WHEN NOT rt.hidden AND (m.id IS NULL OR ${selection.includeMapped === true}::boolean) THEN tm.json_data END AS tag_manifest_json,
           link.manifest_id AS link_manifest_id, link.broken AS link_broken,
           lm.digest AS link_digest
      FROM repositorytag rt
      JOIN repository r ON r.id = rt.repository_id
      LEFT JOIN "user" u ON u.id = r.namespace_user_id
      LEFT JOIN tagtorepositorytag m ON m.repository_tag_id = rt.id
      LEFT JOIN tagmanifest tm ON tm.tag_id = rt.id
      LEFT JOIN tagmanifesttomanifest link ON link.tag_manifest_id = tm.id
      LEFT JOIN manifest lm ON lm.id = link.manifest_id
     WHERE rt.id BETWEEN ${selection.lo} AND ${selection.hi}
       AND (${ids}::int[] IS NULL OR rt.id = ANY(${ids}::int[]))
       AND (${namespace}::text IS NULL OR u.username = ${namespace})
       AND (${repository}::text IS NULL OR r.name = ${repository})
     ORDER BY rt.id`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    name: row.name,
    repositoryId: row.repository_id,
    namespace: row.namespace ?? "",
    repository: row.repository,
    imageId: row.image_id,
    lifetimeStartTs: row.lifetime_start_ts,
    signingStartTs: row.signing_start_ts ?? row.lifetime_start_ts,
    lifetimeEndTs: row.lifetime_end_ts,
    hidden: row.hidden,
    reversion: row.reversion,
    mapped: row.mapped,
    tagManifest:
      row.tag_manifest_id === null
        ? null
        : {
            id: row.tag_manifest_id,
            digest: row.tag_manifest_digest ?? "",
            json: row.tag_manifest_json ?? "",
          },
    manifestLink:
      row.link_manifest_id === null
        ? null
        : {
            manifestId: row.link_manifest_id,
            broken: row.link_broken ?? false,
            digest: row.link_digest ?? "",
          },
  }));
}
