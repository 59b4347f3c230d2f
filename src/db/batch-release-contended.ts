import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * Gives a batch back after a lock or statement timeout: pending, no lease, the claim's attempt given back
 * (contention is not a failure) and one more contended delivery in a row counted. Guarded by the token.
 * Returns the count, or undefined when the lease was no longer ours.
 */
export async function releaseContendedBatch(
  db: Kysely<Database>,
  batchId: string,
  leaseToken: string,
  error: string,
): Promise<number | undefined> {
  const result = await sql<{ contended: number }>`
    UPDATE backfill.batch
    SET status = 'pending', lease_token = NULL, lease_expires_at = NULL, error = ${error},
      attempts = greatest(attempts - 1, 0), contended = contended + 1
    WHERE id = ${batchId} AND lease_token = ${leaseToken}::uuid AND status = 'running'
    RETURNING contended
  `.execute(db);
  return result.rows[0]?.contended;
}
