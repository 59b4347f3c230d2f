import { sql, type Transaction } from "kysely";
import type { BatchResult } from "../backfill/batch-result.js";
import type { Database } from "./tables.js";

/** What a finished batch row keeps: counts by outcome and by broken/failed reason, and its costs. */
export interface StoredBatchCounts {
  backfilled: number;
  backfilled_broken: number;
  skipped: number;
  failed: number;
  byReason: Record<string, number>;
  /** Dry run: the rows a real run would insert, by table. */
  wouldWrite?: Record<string, number>;
}

export function storedCounts(result: BatchResult): StoredBatchCounts {
  const byReason: Record<string, number> = {};
  for (const r of result.results) {
    if (r.reason !== null) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
  }
  return {
    ...result.counts,
    byReason,
    ...(result.wouldWrite !== undefined ? { wouldWrite: result.wouldWrite } : {}),
  };
}

/**
 * The lease-guarded end of a batch, inside the batch's write transaction: marks it done with its counts
 * and timings (the batch core records each tag's outcome in the same transaction). False when the lease
 * is no longer ours: the caller rolls the whole transaction back.
 */
export async function finalizeBatch(
  trx: Transaction<Database>,
  input: { batchId: string; leaseToken: string; result: BatchResult },
): Promise<boolean> {
  const { result } = input;
  const timings = { ...result.timings, queries: result.queries, rowsWritten: result.rowsWritten };
  const updated = await sql`
    UPDATE backfill.batch
    SET status = 'done', lease_token = NULL, lease_expires_at = NULL, error = NULL, finished_at = now(),
        counts = ${JSON.stringify(storedCounts(result))}::jsonb, timings = ${JSON.stringify(timings)}::jsonb
    WHERE id = ${input.batchId} AND lease_token = ${input.leaseToken}::uuid AND status = 'running'
  `.execute(trx);
  return Number(updated.numAffectedRows ?? 0) === 1;
}
