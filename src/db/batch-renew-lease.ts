import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** Extends a held lease; false when it is no longer ours (released, or taken after it expired). */
export async function renewBatchLease(
  db: Kysely<Database>,
  batchId: string,
  leaseToken: string,
  leaseMs: number,
): Promise<boolean> {
  const result = await sql`
    UPDATE backfill.batch SET lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000})
    WHERE id = ${batchId} AND lease_token = ${leaseToken}::uuid AND status = 'running'
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
