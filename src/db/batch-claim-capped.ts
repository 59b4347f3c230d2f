import { sql, type Kysely } from "kysely";
import { claimBatch, type ClaimedBatch } from "./batch-claim.js";
import type { Database } from "./tables.js";

/** The advisory-lock class that serialises the capped claims of one run ("BFCC"). */
export const CLAIM_CAP_LOCK_CLASS = 0x42464343;

/**
 * claimBatch under the run's cap of batches in flight (`--concurrency` of `run` and `backfill tune`): "at-cap"
 * while `cap` of the run's batches are claimed under a live lease, by any worker. The claims of one run are
 * serialised by an advisory lock held to the end of the claim's transaction, and the count is read after
 * it is taken, so two claimers never both take the last place.
 */
export async function claimBatchWithinCap(
  db: Kysely<Database>,
  batchId: string,
  leaseMs: number,
  runId: string,
  cap: number,
): Promise<ClaimedBatch | "at-cap" | undefined> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${CLAIM_CAP_LOCK_CLASS}::int, (${runId}::bigint % 2147483647)::int)`.execute(
      trx,
    );
    const held = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM backfill.batch
      WHERE run_id = ${runId}::bigint AND status = 'running' AND lease_expires_at >= now()
        AND id <> ${batchId}::bigint`.execute(trx);
    if ((held.rows[0]?.n ?? 0) >= cap) return "at-cap";
    return claimBatch(trx, batchId, leaseMs);
  });
}
