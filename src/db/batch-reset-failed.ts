import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** Puts a run's failed batches back to pending (a resume retries them); returns how many. */
export async function resetFailedBatches(db: Kysely<Database>, runId: string): Promise<number> {
  const result = await sql`
    UPDATE backfill.batch SET status = 'pending', lease_token = NULL, lease_expires_at = NULL, finished_at = NULL
    WHERE run_id = ${runId} AND status = 'failed'
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
