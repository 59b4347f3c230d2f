import { sql, type Kysely, type RawBuilder } from "kysely";
import type { SetFinding } from "../verify/run-verify.js";
import { MAX_EXAMPLES } from "../verify/problem-collector.js";
import type { Database } from "./tables.js";
import { scopeCondition, type VerifyScope } from "./verify-scope.js";

interface Row {
  repository_tag_id: number | null;
  display: string | null;
  detail: string;
  total: number;
}

const NAME = sql`coalesce(u.username, '?') || '/' || r.name`;

/**
 * Whole-registry checks, one set-based query each, returning a count and the first few examples (a window
 * count, so nothing but the examples leaves the database): legacy tags not mapped yet, and rows a mapping
 * left behind or that point nowhere.
 */
export async function findOrphans(db: Kysely<Database>, scope: VerifyScope): Promise<SetFinding[]> {
  const queries = [...unmappedAndOrphanQueries(scope), ...danglingRowQueries(scope)];
  const findings: SetFinding[] = [];
  for (const [code, query] of queries) {
    const result = await sql<Row>`${query} LIMIT ${MAX_EXAMPLES}`.execute(db);
    const count = Number(result.rows[0]?.total ?? 0);
    findings.push({
      code,
      count,
      examples: result.rows.map((row) => ({
        repositoryTagId: row.repository_tag_id,
        tag: row.display,
        detail: row.detail,
      })),
    });
  }
  return findings;
}

type OrphanQuery = [SetFinding["code"], RawBuilder<Row>];

/** Legacy tags not mapped yet, and tag or manifest rows no mapping leads to. */
function unmappedAndOrphanQueries(scope: VerifyScope): OrphanQuery[] {
  return [
    [
      "unmapped",
      sql<Row>`
        SELECT rt.id AS repository_tag_id, ${NAME} || ':' || rt.name AS display,
          'repositorytag ' || rt.id || ' has no tagtorepositorytag row' AS detail, count(*) OVER () AS total
        FROM repositorytag rt JOIN repository r ON r.id = rt.repository_id LEFT JOIN "user" u ON u.id = r.namespace_user_id
        WHERE NOT rt.hidden
          AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag x WHERE x.repository_tag_id = rt.id)
          ${scopeCondition(sql`rt.repository_id`, scope)}
        ORDER BY rt.id`,
    ],
    [
      "orphan_tag",
      sql<Row>`
        SELECT rt.id AS repository_tag_id, ${NAME} || ':' || rt.name AS display,
          'tag ' || t.id || ' matches this repositorytag and has a mapped manifest, but no tagtorepositorytag row'
            AS detail, count(*) OVER () AS total
        FROM tag t
        JOIN repositorytag rt ON rt.repository_id = t.repository_id AND rt.name = t.name
          AND (rt.lifetime_end_ts::bigint * 1000 = t.lifetime_end_ms
               OR (rt.lifetime_end_ts IS NULL AND t.lifetime_end_ms IS NULL))
        JOIN repository r ON r.id = t.repository_id LEFT JOIN "user" u ON u.id = r.namespace_user_id
        WHERE NOT EXISTS (SELECT 1 FROM tagtorepositorytag x WHERE x.tag_id = t.id)
          AND EXISTS (SELECT 1 FROM tagmanifesttomanifest tmm WHERE tmm.manifest_id = t.manifest_id)
          ${scopeCondition(sql`t.repository_id`, scope)}
        ORDER BY rt.id`,
    ],
    [
      "orphan_manifest",
      sql<Row>`
        SELECT NULL::int AS repository_tag_id, ${NAME} || '@' || m.digest AS display,
          'manifest ' || m.id || ' has no tag, no tagmanifesttomanifest and no parent list' AS detail,
          count(*) OVER () AS total
        FROM manifest m JOIN repository r ON r.id = m.repository_id LEFT JOIN "user" u ON u.id = r.namespace_user_id
        WHERE NOT EXISTS (SELECT 1 FROM tag t WHERE t.manifest_id = m.id)
          AND NOT EXISTS (SELECT 1 FROM tagmanifesttomanifest tmm WHERE tmm.manifest_id = m.id)
          AND NOT EXISTS (SELECT 1 FROM manifestchild mc WHERE mc.child_manifest_id = m.id)
          ${scopeCondition(sql`m.repository_id`, scope)}
        ORDER BY m.id`,
    ],
  ];
}

/** Link rows that point nowhere, or across repositories. */
function danglingRowQueries(scope: VerifyScope): OrphanQuery[] {
  return [
    [
      "dangling_manifestblob",
      sql<Row>`
        SELECT NULL::int AS repository_tag_id, NULL AS display,
          'manifestblob ' || mb.id || CASE
            WHEN m.id IS NULL THEN ': manifest ' || mb.manifest_id || ' does not exist'
            WHEN s.id IS NULL THEN ': storage ' || mb.blob_id || ' does not exist'
            ELSE ': repository_id ' || mb.repository_id || ', manifest ' || m.id || ' is in ' || m.repository_id
          END AS detail, count(*) OVER () AS total
        FROM manifestblob mb
        LEFT JOIN manifest m ON m.id = mb.manifest_id
        LEFT JOIN imagestorage s ON s.id = mb.blob_id
        WHERE (m.id IS NULL OR s.id IS NULL OR mb.repository_id <> m.repository_id)
          ${scopeCondition(sql`mb.repository_id`, scope)}
        ORDER BY mb.id`,
    ],
    [
      "dangling_legacy_image",
      sql<Row>`
        SELECT NULL::int AS repository_tag_id, NULL AS display,
          'manifestlegacyimage ' || mli.id || CASE
            WHEN m.id IS NULL THEN ': manifest ' || mli.manifest_id || ' does not exist'
            WHEN i.id IS NULL THEN ': image ' || mli.image_id || ' does not exist'
            ELSE ': repository_id ' || mli.repository_id || ', manifest in ' || m.repository_id
              || ', image in ' || i.repository_id
          END AS detail, count(*) OVER () AS total
        FROM manifestlegacyimage mli
        LEFT JOIN manifest m ON m.id = mli.manifest_id
        LEFT JOIN image i ON i.id = mli.image_id
        -- A placeholder may point at an image of another repository: Quay maps a tag whose own image is
        -- foreign that way (outcome foreign_image), and the tag's image is all there is to point at.
        WHERE (m.id IS NULL OR i.id IS NULL OR mli.repository_id <> m.repository_id
               OR (i.repository_id <> m.repository_id AND m.digest NOT LIKE 'BROKEN-%'))
          ${scopeCondition(sql`mli.repository_id`, scope)}
        ORDER BY mli.id`,
    ],
  ];
}
