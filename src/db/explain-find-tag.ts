import { sql, type Kysely } from "kysely";
import type { FoundTag, TagLookup } from "../explain/tag-lookup.js";
import type { Database } from "./tables.js";

interface Row {
  id: number;
  name: string;
  namespace: string | null;
  repository: string;
  lifetime_end_ts: number | null;
  alive: boolean;
  same_name: number;
}

/**
 * `ns/repo:tag` names several repositorytag rows when the tag was moved or deleted (each lifetime is a
 * row). The live one wins, else the most recent (latest start, then highest id). `nowTs` is the
 * caller's clock in seconds (docs/domain-rules.md: alive iff the end is null or in the future).
 */
export async function findTagByName(
  db: Kysely<Database>,
  ref: { namespace: string; repository: string; tag: string },
  nowTs: number,
): Promise<TagLookup> {
  const result = await sql<Row>`
    SELECT rt.id, rt.name, u.username AS namespace, r.name AS repository, rt.lifetime_end_ts,
           (rt.lifetime_end_ts IS NULL OR rt.lifetime_end_ts > ${nowTs}) AS alive,
           count(*) OVER ()::int AS same_name
      FROM repositorytag rt
      JOIN repository r ON r.id = rt.repository_id
      JOIN "user" u ON u.id = r.namespace_user_id
     WHERE u.username = ${ref.namespace} AND r.name = ${ref.repository} AND rt.name = ${ref.tag}
     ORDER BY (rt.lifetime_end_ts IS NULL OR rt.lifetime_end_ts > ${nowTs}) DESC,
              rt.lifetime_start_ts DESC, rt.id DESC
     LIMIT 1`.execute(db);
  const row = result.rows[0];
  if (row === undefined) {
    return { found: false, missing: `no tag ${ref.namespace}/${ref.repository}:${ref.tag}` };
  }
  return { found: true, tag: toFound(row) };
}

export async function findTagById(db: Kysely<Database>, id: number, nowTs: number): Promise<TagLookup> {
  const result = await sql<Row>`
    SELECT rt.id, rt.name, u.username AS namespace, r.name AS repository, rt.lifetime_end_ts,
           (rt.lifetime_end_ts IS NULL OR rt.lifetime_end_ts > ${nowTs}) AS alive,
           (SELECT count(*)::int FROM repositorytag o
             WHERE o.repository_id = rt.repository_id AND o.name = rt.name) AS same_name
      FROM repositorytag rt
      JOIN repository r ON r.id = rt.repository_id
      LEFT JOIN "user" u ON u.id = r.namespace_user_id
     WHERE rt.id = ${id}`.execute(db);
  const row = result.rows[0];
  if (row === undefined) return { found: false, missing: `no repositorytag with id ${id}` };
  return { found: true, tag: toFound(row) };
}

function toFound(row: Row): FoundTag {
  return {
    id: row.id,
    display: `${row.namespace ?? "?"}/${row.repository}:${row.name}`,
    alive: row.alive,
    lifetimeEndTs: row.lifetime_end_ts,
    sameName: row.same_name,
  };
}
