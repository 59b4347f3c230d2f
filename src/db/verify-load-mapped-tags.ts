import { sql, type Kysely } from "kysely";
import type { MappedTag } from "../verify/mapped-tag.js";
import type { MappedTagPage } from "../verify/run-verify.js";
import type { Database } from "./tables.js";
import { scopeCondition, type VerifyScope } from "./verify-scope.js";

interface Row {
  rt_id: number;
  rt_name: string;
  rt_repository_id: number;
  rt_image_id: number;
  lifetime_start_ts: number;
  lifetime_end_ts: number | null;
  rt_reversion: boolean;
  rt_hidden: boolean;
  namespace: string | null;
  repository_name: string;
  ttr_repository_id: number;
  t_id: number | null;
  t_name: string | null;
  t_repository_id: number | null;
  t_manifest_id: number | null;
  lifetime_start_ms: number | null;
  lifetime_end_ms: number | null;
  t_reversion: boolean | null;
  t_hidden: boolean | null;
  t_kind: string | null;
  tm_id: number | null;
  tm_digest: string | null;
  tm_length: number | null;
  tmm_manifest_id: number | null;
  tmm_broken: boolean | null;
  m_id: number | null;
  m_repository_id: number | null;
  m_digest: string | null;
  m_media_type: string | null;
  m_length: number | null;
  bytes_equal: boolean | null;
  li_image_id: number | null;
  li_docker_image_id: string | null;
  li_repository_id: number | null;
  leaf_ancestors: string | null;
  outcome: string | null;
  reason: string | null;
  detail: string | null;
}

/**
 * One chunk of mapped tags with every row of their mappings, in ONE query: each join is on a unique key
 * (tagtorepositorytag.repository_tag_id, tagmanifest.tag_id, tagmanifesttomanifest.tag_manifest_id,
 * manifestlegacyimage.manifest_id), so a tag is one row. Bytes are compared in the database (`COLLATE "C"`
 * is byte order) instead of loading json_data too.
 */
export async function loadMappedTags(
  db: Kysely<Database>,
  page: MappedTagPage,
  scope: VerifyScope,
): Promise<MappedTag[]> {
  const where =
    "ids" in page
      ? sql`ttr.repository_tag_id = ANY(${[...page.ids]}::int[])`
      : sql`ttr.repository_tag_id > ${page.after}`;
  const limit = "ids" in page ? sql`` : sql`LIMIT ${page.limit}`;
  const result = await sql<Row>`
    SELECT rt.id AS rt_id, rt.name AS rt_name, rt.repository_id AS rt_repository_id, rt.image_id AS rt_image_id,
      rt.lifetime_start_ts, rt.lifetime_end_ts, rt.reversion AS rt_reversion, rt.hidden AS rt_hidden,
      u.username AS namespace, r.name AS repository_name, ttr.repository_id AS ttr_repository_id,
      t.id AS t_id, t.name AS t_name, t.repository_id AS t_repository_id, t.manifest_id AS t_manifest_id,
      t.lifetime_start_ms, t.lifetime_end_ms, t.reversion AS t_reversion, t.hidden AS t_hidden, tk.name AS t_kind,
      tm.id AS tm_id, tm.digest AS tm_digest, octet_length(tm.json_data) AS tm_length,
      tmm.manifest_id AS tmm_manifest_id, tmm.broken AS tmm_broken,
      m.id AS m_id, m.repository_id AS m_repository_id, m.digest AS m_digest, mt.name AS m_media_type,
      octet_length(m.manifest_bytes) AS m_length,
      (tm.json_data COLLATE "C" = m.manifest_bytes COLLATE "C") AS bytes_equal,
      mli.image_id AS li_image_id, li.docker_image_id AS li_docker_image_id, li.repository_id AS li_repository_id,
      leaf.ancestors AS leaf_ancestors, o.outcome, o.reason, o.detail
    FROM tagtorepositorytag ttr
    JOIN repositorytag rt ON rt.id = ttr.repository_tag_id
    JOIN repository r ON r.id = rt.repository_id
    LEFT JOIN "user" u ON u.id = r.namespace_user_id
    LEFT JOIN tag t ON t.id = ttr.tag_id
    LEFT JOIN tagkind tk ON tk.id = t.tag_kind_id
    LEFT JOIN tagmanifest tm ON tm.tag_id = rt.id
    LEFT JOIN tagmanifesttomanifest tmm ON tmm.tag_manifest_id = tm.id
    LEFT JOIN manifest m ON m.id = tmm.manifest_id
    LEFT JOIN mediatype mt ON mt.id = m.media_type_id
    LEFT JOIN manifestlegacyimage mli ON mli.manifest_id = m.id
    LEFT JOIN image li ON li.id = mli.image_id
    LEFT JOIN image leaf ON leaf.id = rt.image_id
    LEFT JOIN backfill.tag_outcome o ON o.repository_tag_id = rt.id
    WHERE ${where} ${scopeCondition(sql`rt.repository_id`, scope)}
    ORDER BY ttr.repository_tag_id
    ${limit}`.execute(db);
  return result.rows.map(toMappedTag);
}

function toMappedTag(row: Row): MappedTag {
  return {
    repositoryTagId: row.rt_id,
    display: `${row.namespace ?? "?"}/${row.repository_name}:${row.rt_name}`,
    legacy: {
      name: row.rt_name,
      repositoryId: row.rt_repository_id,
      imageId: row.rt_image_id,
      lifetimeStartTs: row.lifetime_start_ts,
      lifetimeEndTs: row.lifetime_end_ts,
      reversion: row.rt_reversion,
      hidden: row.rt_hidden,
    },
    mappingRepositoryId: row.ttr_repository_id,
    tag:
      row.t_id === null
        ? null
        : {
            id: row.t_id,
            name: row.t_name ?? "",
            repositoryId: row.t_repository_id ?? 0,
            manifestId: row.t_manifest_id,
            lifetimeStartMs: row.lifetime_start_ms ?? 0,
            lifetimeEndMs: row.lifetime_end_ms,
            reversion: row.t_reversion ?? false,
            hidden: row.t_hidden ?? false,
            kind: row.t_kind,
          },
    tagManifest:
      row.tm_id === null
        ? null
        : {
            id: row.tm_id,
            digest: row.tm_digest ?? "",
            bytesEqualManifest: row.bytes_equal,
            jsonDataLength: row.tm_length ?? 0,
          },
    mapping:
      row.tmm_manifest_id === null
        ? null
        : { manifestId: row.tmm_manifest_id, broken: row.tmm_broken ?? false },
    manifest:
      row.m_id === null
        ? null
        : {
            id: row.m_id,
            repositoryId: row.m_repository_id ?? 0,
            digest: row.m_digest ?? "",
            mediaType: row.m_media_type,
            bytesLength: row.m_length ?? 0,
          },
    legacyImage:
      row.li_image_id === null
        ? null
        : {
            imageId: row.li_image_id,
            dockerImageId: row.li_docker_image_id,
            repositoryId: row.li_repository_id,
          },
    outcome: row.outcome === null ? null : { outcome: row.outcome, reason: row.reason, detail: row.detail },
    leafAncestors: row.leaf_ancestors,
  };
}
