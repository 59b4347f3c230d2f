import type { BatchTagKey, BatchTagSelection } from "../backfill/store-read-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";
import { tagSelectionFilter } from "./tag-selection-filter.js";

/**
 * One query: the ids of the tags `loadBatchTags` would return for this selection, with whether each is
 * hidden or mapped. It sends no stored text to the client, so it answers when a value of some row
 * cannot be read (bytes that are not UTF-8 in a SQL_ASCII database): the load is then split by these ids.
 */
export async function loadBatchTagKeys(
  db: Kysely<Database>,
  selection: BatchTagSelection,
): Promise<BatchTagKey[]> {
  const { namespace, repository, ids } = tagSelectionFilter(selection);
  const result = await sql<{ id: number; hidden: boolean; mapped: boolean }>`
    SELECT rt.id, rt.hidden, m.id IS NOT NULL AS mapped
      FROM repositorytag rt
      JOIN repository r ON r.id = rt.repository_id
      LEFT JOIN "user" u ON u.id = r.namespace_user_id
      LEFT JOIN tagtorepositorytag m ON m.repository_tag_id = rt.id
     WHERE rt.id BETWEEN ${selection.lo} AND ${selection.hi}
       AND (${ids}::int[] IS NULL OR rt.id = ANY(${ids}::int[]))
       AND (${namespace}::text IS NULL OR u.username = ${namespace})
       AND (${repository}::text IS NULL OR r.name = ${repository})
     ORDER BY rt.id`.execute(db);
  return result.rows;
}
