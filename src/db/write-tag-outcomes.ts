import type { TagOutcomeRow } from "../backfill/store-write-rows.js";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: the latest outcome of every tag of the batch, replacing an earlier run's, except that
 * `skipped` (already mapped, hidden) never replaces a recorded outcome: the reason a tag was mapped
 * broken must survive the runs that pass over it later. A reprocess that refused or failed to repair a
 * mapped tag records only that (`reprocess`, `reprocess_detail`): the mapping and its outcome are as
 * they were.
 */
/** The recorded mapping outcome stays: a reprocess refused or failed to change the mapping. */
const KEEP = sql`EXCLUDED.reprocess IN ('refused', 'failed')`;

export async function upsertTagOutcomes(
  db: Kysely<Database>,
  rows: readonly TagOutcomeRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    INSERT INTO backfill.tag_outcome (repository_tag_id, run_id, batch_id, outcome, reason, detail,
                                      rewritten_ids, manifest_digest, reprocess, reprocess_detail, updated_at)
    SELECT u.*, now()
      FROM unnest(${rows.map((r) => r.repositoryTagId)}::int[], ${rows.map((r) => r.runId)}::bigint[],
                  ${rows.map((r) => r.batchId)}::bigint[], ${rows.map((r) => r.outcome)}::text[],
                  ${rows.map((r) => r.reason)}::text[], ${rows.map((r) => r.detail)}::text[],
                  ${rows.map((r) => r.rewrittenIds)}::int[], ${rows.map((r) => r.manifestDigest)}::text[],
                  ${rows.map((r) => r.reprocess ?? null)}::text[],
                  ${rows.map((r) => r.reprocessDetail ?? null)}::text[]) AS u
    ON CONFLICT (repository_tag_id) DO UPDATE
       SET run_id = EXCLUDED.run_id, batch_id = EXCLUDED.batch_id,
           outcome = CASE WHEN ${KEEP} THEN tag_outcome.outcome ELSE EXCLUDED.outcome END,
           reason = CASE WHEN ${KEEP} THEN tag_outcome.reason ELSE EXCLUDED.reason END,
           detail = CASE WHEN ${KEEP} THEN tag_outcome.detail ELSE EXCLUDED.detail END,
           rewritten_ids = CASE WHEN ${KEEP} THEN tag_outcome.rewritten_ids ELSE EXCLUDED.rewritten_ids END,
           manifest_digest = CASE WHEN ${KEEP} THEN tag_outcome.manifest_digest ELSE EXCLUDED.manifest_digest END,
           reprocess = EXCLUDED.reprocess, reprocess_detail = EXCLUDED.reprocess_detail, updated_at = now()
     WHERE EXCLUDED.outcome <> 'skipped' OR EXCLUDED.reprocess IS NOT NULL`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
