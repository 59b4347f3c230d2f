import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "./tables.js";

/** Contended deliveries in a row after which a batch is cut in two (each half then waits on its own). */
export const SPLIT_AFTER_CONTENDED = 3;

/** The advisory-lock class that serialises the splits of one run (they number new batches). */
export const SPLIT_LOCK_CLASS = 0x42464c32; // "BFL2"

export interface ContendedRelease {
  /** Contended deliveries in a row, this one included (0 again after a split). */
  contended: number;
  /** The id of the new batch holding the upper half, when this release split the batch. */
  splitInto?: string;
}

interface ReleasedRow {
  contended: number;
  run_id: string;
  lo: number;
  hi: number;
  tag_ids: number[] | null;
}

/**
 * Gives a batch back after a lock or statement timeout: pending, no lease, the claim's attempt given back
 * (contention is not a failure) and one more contended delivery in a row counted. Guarded by the token;
 * undefined when the lease was no longer ours. On the SPLIT_AFTER_CONTENDED-th in a row the batch keeps the
 * lower half of its range (or id list) and a new pending batch of the run takes the upper half, in the
 * same transaction, so no tag is ever in two batches or in none; the ledger resync enqueues the new one.
 */
export async function releaseContendedBatch(
  db: Kysely<Database>,
  batchId: string,
  leaseToken: string,
  error: string,
): Promise<ContendedRelease | undefined> {
  return db.transaction().execute(async (trx) => {
    const released = await sql<ReleasedRow>`
      UPDATE backfill.batch
      SET status = 'pending', lease_token = NULL, lease_expires_at = NULL, error = ${error},
        attempts = greatest(attempts - 1, 0), contended = contended + 1
      WHERE id = ${batchId} AND lease_token = ${leaseToken}::uuid AND status = 'running'
      RETURNING contended, run_id::text AS run_id, lo::int AS lo, hi::int AS hi, tag_ids::int[] AS tag_ids
    `.execute(trx);
    const row = released.rows[0];
    if (!row) return undefined;
    // The worker halves the run's size at once (batch-size-adapter.ts); a rise of this count makes the
    // next tick do it should that fail.
    await sql`UPDATE backfill.run SET contended_deliveries = contended_deliveries + 1 WHERE id = ${row.run_id}::bigint`.execute(
      trx,
    );
    if (row.contended < SPLIT_AFTER_CONTENDED) return { contended: row.contended };
    const splitInto = await splitBatch(trx, batchId, row);
    return splitInto === undefined ? { contended: row.contended } : { contended: 0, splitInto };
  });
}

/** Halves the batch; undefined when it holds one id only (nothing to split). */
async function splitBatch(
  trx: Transaction<Database>,
  batchId: string,
  row: ReleasedRow,
): Promise<string | undefined> {
  const halves = halve(row);
  if (!halves) return undefined;
  const [lower, upper] = halves;
  await sql`SELECT pg_advisory_xact_lock(${SPLIT_LOCK_CLASS}::int, (${row.run_id}::bigint % 2147483647)::int)`.execute(
    trx,
  );
  await sql`
    UPDATE backfill.batch SET lo = ${lower.lo}, hi = ${lower.hi}, tag_ids = ${lower.ids}::bigint[], contended = 0
    WHERE id = ${batchId}`.execute(trx);
  const inserted = await sql<{ id: string }>`
    INSERT INTO backfill.batch (run_id, seq, lo, hi, tag_ids, status)
    SELECT ${row.run_id}::bigint, max(seq) + 1, ${upper.lo}, ${upper.hi}, ${upper.ids}::bigint[], 'pending'
    FROM backfill.batch WHERE run_id = ${row.run_id}::bigint
    RETURNING id::text AS id`.execute(trx);
  return inserted.rows[0]?.id;
}

type Half = { lo: number; hi: number; ids: number[] | null };

function halve(row: ReleasedRow): [Half, Half] | undefined {
  if (row.tag_ids !== null) {
    if (row.tag_ids.length < 2) return undefined;
    const cut = Math.ceil(row.tag_ids.length / 2);
    const lower = row.tag_ids.slice(0, cut);
    const upper = row.tag_ids.slice(cut);
    return [
      { lo: lower[0] ?? row.lo, hi: lower[lower.length - 1] ?? row.lo, ids: lower },
      { lo: upper[0] ?? row.hi, hi: upper[upper.length - 1] ?? row.hi, ids: upper },
    ];
  }
  if (row.lo >= row.hi) return undefined;
  const mid = row.lo + Math.floor((row.hi - row.lo) / 2);
  return [
    { lo: row.lo, hi: mid, ids: null },
    { lo: mid + 1, hi: row.hi, ids: null },
  ];
}
