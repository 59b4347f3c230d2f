import { sql, type Transaction } from "kysely";
import type { BatchResult } from "../run/batch-processor.js";
import type { Database } from "./tables.js";

/** What a finished batch row keeps: counts by outcome and by broken/failed reason, and its costs. */
export interface StoredBatchCounts {
  backfilled: number;
  backfilled_broken: number;
  skipped: number;
  failed: number;
  byReason: Record<string, number>;
}

export function storedCounts(result: BatchResult): StoredBatchCounts {
  const byReason: Record<string, number> = {};
  for (const r of result.results) {
    if (r.reason !== null) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
  }
  return { ...result.counts, byReason };
}

/**
 * The lease-guarded end of a batch, inside the batch's write transaction: marks it done with its counts
 * and timings and records every tag's latest outcome (not for a dry run, which writes nothing of the
 * registry's). False when the lease is no longer ours: the caller rolls the whole transaction back.
 */
export async function finalizeBatch(
  trx: Transaction<Database>,
  input: { batchId: string; runId: string; leaseToken: string; dryRun: boolean; result: BatchResult },
): Promise<boolean> {
  const { result } = input;
  const timings = { ...result.timings, queries: result.queries, rowsWritten: result.rowsWritten };
  const updated = await sql`
    UPDATE backfill.batch
    SET status = 'done', lease_token = NULL, lease_expires_at = NULL, error = NULL, finished_at = now(),
        counts = ${JSON.stringify(storedCounts(result))}::jsonb, timings = ${JSON.stringify(timings)}::jsonb
    WHERE id = ${input.batchId} AND lease_token = ${input.leaseToken}::uuid AND status = 'running'
  `.execute(trx);
  if (Number(updated.numAffectedRows ?? 0) !== 1) return false;
  if (input.dryRun || result.results.length === 0) return true;
  const rows = result.results;
  // unnest keeps it one statement with 8 parameters whatever the batch size (a VALUES list would hit
  // PostgreSQL's 65535-parameter limit at large batch sizes).
  await sql`
    INSERT INTO backfill.tag_outcome
      (repository_tag_id, run_id, batch_id, outcome, reason, detail, rewritten_ids, manifest_digest, updated_at)
    SELECT t.id, ${input.runId}::bigint, ${input.batchId}::bigint, t.outcome, t.reason, t.detail, t.rewritten,
      t.digest, now()
    FROM unnest(
      ${rows.map((r) => r.repositoryTagId)}::int[], ${rows.map((r) => r.outcome)}::text[],
      ${rows.map((r) => r.reason)}::text[], ${rows.map((r) => r.detail)}::text[],
      ${rows.map((r) => r.rewrittenIds)}::int[], ${rows.map((r) => r.manifestDigest)}::text[]
    ) AS t(id, outcome, reason, detail, rewritten, digest)
    ON CONFLICT (repository_tag_id) DO UPDATE SET run_id = excluded.run_id, batch_id = excluded.batch_id,
      outcome = excluded.outcome, reason = excluded.reason, detail = excluded.detail,
      rewritten_ids = excluded.rewritten_ids, manifest_digest = excluded.manifest_digest,
      updated_at = excluded.updated_at
  `.execute(trx);
  return true;
}
