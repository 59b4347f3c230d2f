import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * Marks a batch failed for good (its attempts are spent or the error cannot pass on retry). With a token
 * only a batch still leased by us changes; without one (the lease was already released) only a batch
 * nobody holds. False when nothing changed.
 */
export async function failBatch(
  db: Kysely<Database>,
  batchId: string,
  leaseToken: string | null,
  error: string,
): Promise<boolean> {
  const guard =
    leaseToken === null
      ? sql`(status = 'pending' OR (status = 'running' AND lease_expires_at < now()))`
      : sql`lease_token = ${leaseToken}::uuid AND status = 'running'`;
  const result = await sql`
    UPDATE backfill.batch
    SET status = 'failed', lease_token = NULL, lease_expires_at = NULL, error = ${error}, finished_at = now()
    WHERE id = ${batchId} AND ${guard}
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
