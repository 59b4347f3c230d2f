import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";
import { tagSelectionFilter } from "./tag-selection-filter.js";

/** What `backfill reprocess` selects; every given criterion must hold (AND). */
export interface ReprocessSelection {
  namespace?: string;
  /** `namespace/repository`. */
  repository?: string;
  tagIds?: readonly number[];
  idRange?: { lo: number; hi: number };
  /** A reason recorded in backfill.tag_outcome (`reason`, or the code of a reprocess refusal). */
  reason?: string;
  /** Recorded `backfilled_broken`, or linked with `tagmanifesttomanifest.broken` (Quay's own too). */
  allBroken?: boolean;
}

export interface SelectedTag {
  id: number;
  mapped: boolean;
}

/**
 * One query: the non-hidden `repositorytag` ids the selection names, in id order, with whether each is
 * mapped. The ids go to the run as its explicit id list (batch-cut keeps them on each batch).
 */
export async function loadReprocessTagIds(
  db: Kysely<Database>,
  selection: ReprocessSelection,
): Promise<SelectedTag[]> {
  const { namespace, repository, ids } = tagSelectionFilter(selection);
  const lo = selection.idRange?.lo ?? null;
  const hi = selection.idRange?.hi ?? null;
  const reason = selection.reason ?? null;
  const result = await sql<{ id: number; mapped: boolean }>`
    SELECT rt.id, EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id) AS mapped
      FROM repositorytag rt
      JOIN repository r ON r.id = rt.repository_id
      LEFT JOIN "user" u ON u.id = r.namespace_user_id
      LEFT JOIN backfill.tag_outcome o ON o.repository_tag_id = rt.id
     WHERE NOT rt.hidden
       AND (${namespace}::text IS NULL OR u.username = ${namespace})
       AND (${repository}::text IS NULL OR r.name = ${repository})
       AND (${ids}::int[] IS NULL OR rt.id = ANY(${ids}::int[]))
       AND (${lo}::int IS NULL OR rt.id BETWEEN ${lo} AND ${hi})
       AND (${reason}::text IS NULL OR o.reason = ${reason}
            OR (o.reprocess = 'refused' AND o.reprocess_detail LIKE ${reason} || ':%'))
       AND (NOT ${selection.allBroken === true}::boolean OR o.outcome = 'backfilled_broken'
            OR EXISTS (SELECT 1 FROM tagmanifest tm JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id
                        WHERE tm.tag_id = rt.id AND l.broken))
     ORDER BY rt.id`.execute(db);
  return result.rows.map((row) => ({ id: row.id, mapped: row.mapped }));
}
