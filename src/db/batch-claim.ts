import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

export interface ClaimedBatch {
  id: string;
  runId: string;
  lo: number;
  hi: number;
  tagIds: number[] | null;
  attempts: number;
  leaseToken: string;
}

/**
 * Takes the batch for this worker: pending, or running under a lease that has expired (its worker died),
 * and only while its run is `running` (checked in the same statement, so a batch of a paused or cancelled
 * run is never claimed once the pause or cancel has committed). The row lock of the UPDATE serialises two
 * claimers; the loser sees the winner's status and gets nothing. Returns undefined when the batch is done,
 * failed, leased by someone alive, or its run is not running.
 */
export async function claimBatch(
  db: Kysely<Database>,
  batchId: string,
  leaseMs: number,
): Promise<ClaimedBatch | undefined> {
  const result = await sql<ClaimedBatch>`
    UPDATE backfill.batch
    SET status = 'running', lease_token = gen_random_uuid(),
        lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}),
        attempts = attempts + 1, started_at = coalesce(started_at, now())
    WHERE id = ${batchId}
      AND (status = 'pending' OR (status = 'running' AND lease_expires_at < now()))
      AND EXISTS (SELECT 1 FROM backfill.run r WHERE r.id = backfill.batch.run_id AND r.status = 'running')
    RETURNING id::text AS "id", run_id::text AS "runId", lo, hi, tag_ids::int[] AS "tagIds", attempts,
      lease_token::text AS "leaseToken"
  `.execute(db);
  return result.rows[0];
}
