import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** The server's cumulative WAL and checkpoint counters at one moment: the throttle takes differences. */
export interface WalCounters {
  /** WAL position in bytes from 0/0 (pg_current_wal_lsn). */
  walBytes: number;
  /** Checkpoints requested since the statistics reset (by WAL volume or a CHECKPOINT command). */
  requestedCheckpoints: number;
}

/**
 * Reads pg_current_wal_lsn() and the requested checkpoints: pg_stat_checkpointer.num_requested from
 * PostgreSQL 17, pg_stat_bgwriter.checkpoints_req before (the column moved), picked by server version.
 */
export async function loadWalCounters(db: Kysely<Database>): Promise<WalCounters> {
  const version = await sql<{ v: number }>`SELECT current_setting('server_version_num')::int AS v`.execute(
    db,
  );
  const requested =
    (version.rows[0]?.v ?? 0) >= 170000
      ? sql`(SELECT num_requested FROM pg_stat_checkpointer)`
      : sql`(SELECT checkpoints_req FROM pg_stat_bgwriter)`;
  const result = await sql<{ wal: string | number; req: string | number }>`
    SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS wal, ${requested}::float8 AS req`.execute(
    db,
  );
  const row = result.rows[0];
  return { walBytes: Number(row?.wal ?? 0), requestedCheckpoints: Number(row?.req ?? 0) };
}
