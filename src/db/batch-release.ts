import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * Gives a held batch back (status pending, no lease) so the next delivery claims it at once, recording
 * why (a failure: the count of contended deliveries in a row starts over). Guarded by the token: a lease
 * that is no longer ours is left alone. False when nothing changed.
 */
export async function releaseBatch(
  db: Kysely<Database>,
  batchId: string,
  leaseToken: string,
  error: string | null,
): Promise<boolean> {
  const result = await sql`
    UPDATE backfill.batch SET status = 'pending', lease_token = NULL, lease_expires_at = NULL, error = ${error},
      contended = 0
    WHERE id = ${batchId} AND lease_token = ${leaseToken}::uuid AND status = 'running'
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
