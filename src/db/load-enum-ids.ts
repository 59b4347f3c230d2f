import type { EnumIds } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

const cache = new WeakMap<object, Promise<EnumIds>>();

/**
 * One query, once per database handle: the ids of media types and of the `tag` tag kind. Rows of fixed
 * enums never change while the worker runs. `cacheKey` is the long-lived handle (a batch may query
 * through a wrapper of it).
 */
export function loadEnumIds(db: Kysely<Database>, cacheKey: object = db): Promise<EnumIds> {
  let found = cache.get(cacheKey);
  if (found === undefined) {
    found = read(db);
    cache.set(cacheKey, found);
    found.catch(() => cache.delete(cacheKey));
  }
  return found;
}

async function read(db: Kysely<Database>): Promise<EnumIds> {
  const result = await sql<{ kind: string; name: string; id: number }>`
    SELECT 'mediatype' AS kind, name, id FROM mediatype
    UNION ALL SELECT 'tagkind' AS kind, name, id FROM tagkind`.execute(db);
  const mediaTypes = new Map<string, number>();
  let tagKindTag: number | undefined;
  for (const row of result.rows) {
    if (row.kind === "mediatype") mediaTypes.set(row.name, row.id);
    else if (row.name === "tag") tagKindTag = row.id;
  }
  if (tagKindTag === undefined) {
    throw new Error("table tagkind has no row 'tag': run 'backfill migrate' against this database");
  }
  return { mediaTypes, tagKindTag };
}
