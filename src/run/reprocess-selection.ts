import type { Kysely } from "kysely";
import { loadReprocessTagIds, type ReprocessSelection } from "../db/load-reprocess-tag-ids.js";
import type { Database } from "../db/tables.js";

export interface ReprocessTags {
  /** The tags to run through the backfill again, id order. */
  ids: number[];
  /** Selected tags left out because they are mapped and --force was not given. */
  mappedLeftOut: number;
}

/** The selected tags a reprocess works on: mapped ones only with `force`. */
export async function selectReprocessTags(
  db: Kysely<Database>,
  selection: ReprocessSelection,
  force: boolean,
): Promise<ReprocessTags> {
  const selected = await loadReprocessTagIds(db, selection);
  const mappedLeftOut = force ? 0 : selected.filter((tag) => tag.mapped).length;
  const ids = selected.filter((tag) => force || !tag.mapped).map((tag) => tag.id);
  return { ids, mappedLeftOut };
}
