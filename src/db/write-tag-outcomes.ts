import { sql, type Kysely } from "kysely";
import type { Database, TagOutcomeKind } from "./tables.js";

export interface TagOutcomeRow {
  repositoryTagId: number;
  runId: string;
  batchId: string | null;
  outcome: TagOutcomeKind;
  reason: string | null;
  detail: string | null;
  rewrittenIds: number;
  manifestDigest: string | null;
}

/**
 * One statement: the latest outcome of every tag of the batch, replacing an earlier run's, except that
 * `skipped` (already mapped, hidden) never replaces a recorded outcome: the reason a tag was mapped
 * broken must survive the runs that pass over it later.
 */
export async function upsertTagOutcomes(
  db: Kysely<Database>,
  rows: readonly TagOutcomeRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    INSERT INTO backfill.tag_outcome (repository_tag_id, run_id, batch_id, outcome, reason, detail,
                                      rewritten_ids, manifest_digest, updated_at)
    SELECT u.*, now()
      FROM unnest(${rows.map((r) => r.repositoryTagId)}::int[], ${rows.map((r) => r.runId)}::bigint[],
                  ${rows.map((r) => r.batchId)}::bigint[], ${rows.map((r) => r.outcome)}::text[],
                  ${rows.map((r) => r.reason)}::text[], ${rows.map((r) => r.detail)}::text[],
                  ${rows.map((r) => r.rewrittenIds)}::int[], ${rows.map((r) => r.manifestDigest)}::text[]) AS u
    ON CONFLICT (repository_tag_id) DO UPDATE
       SET run_id = EXCLUDED.run_id, batch_id = EXCLUDED.batch_id, outcome = EXCLUDED.outcome,
           reason = EXCLUDED.reason, detail = EXCLUDED.detail, rewritten_ids = EXCLUDED.rewritten_ids,
           manifest_digest = EXCLUDED.manifest_digest, updated_at = now()
     WHERE EXCLUDED.outcome <> 'skipped'`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
