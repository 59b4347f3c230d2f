import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** The server's health as the throttle reads it, in one round trip. */
export interface HealthSignals {
  /** The primary's WAL position (`pg_current_wal_lsn()`), undefined on a standby. */
  currentWalLsn: string | undefined;
  /** The primary's replicas that report a replay position (src/run/replay-lag-tracker.ts reads them). */
  replicas: ReplicaRow[];
  /**
   * Age of the oldest open transaction of another client session of this database, seconds (the ones that
   * hold back vacuum of the tables the backfill writes).
   */
  oldestTransactionS: number;
  /** Other sessions waiting on a lock held by a session whose application_name starts with `backfill`. */
  lockWaiters: number;
  /** Backends over max_connections. */
  connectionUse: number;
  /** Vacuums (autovacuum or manual) running on the tables the backfill writes. */
  vacuums: number;
}

/** One row of pg_stat_replication. */
export interface ReplicaRow {
  replayLsn: string;
  /** PostgreSQL's `replay_lag`, seconds; 0 when it shows none. */
  replayLagS: number;
}

/** The tables a batch writes: a vacuum on one of them is a reason to slow down. */
const WRITTEN_TABLES = [
  "public.image",
  "public.manifest",
  "public.manifestblob",
  "public.manifestlegacyimage",
  "public.manifestlabel",
  "public.tag",
  "public.tagtorepositorytag",
  "public.tagmanifest",
  "public.tagmanifesttomanifest",
  "public.tagmanifestlabelmap",
  "backfill.tag_outcome",
  "backfill.batch",
];

/**
 * Reads pg_stat_replication, pg_stat_activity, pg_locks (through pg_blocking_pids), pg_stat_database and
 * pg_stat_progress_vacuum. Without the pg_monitor role other sessions' rows are hidden and read as healthy.
 */
export async function loadHealthSignals(db: Kysely<Database>): Promise<HealthSignals> {
  const tables = sql.join(WRITTEN_TABLES.map((t) => sql`to_regclass(${t})`));
  type Counts = Omit<HealthSignals, "currentWalLsn" | "replicas">;
  const result = await sql<
    { [K in keyof Counts]: string | number | null } & { currentWalLsn: string | null; replicas: unknown }
  >`
    SELECT
      CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn()::text END AS "currentWalLsn",
      (SELECT coalesce(json_agg(json_build_object('replayLsn', replay_lsn::text,
          'replayLagS', coalesce(extract(epoch FROM replay_lag), 0))), '[]')
        FROM pg_stat_replication WHERE replay_lsn IS NOT NULL) AS "replicas",
      (SELECT coalesce(max(extract(epoch FROM now() - xact_start)), 0) FROM pg_stat_activity
        WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          AND datname = current_database()) AS "oldestTransactionS",
      (SELECT count(*) FROM pg_stat_activity w
        WHERE coalesce(w.application_name, '') NOT LIKE 'backfill%' AND EXISTS (SELECT 1 FROM pg_stat_activity h
          WHERE h.pid = ANY (pg_blocking_pids(w.pid)) AND h.application_name LIKE 'backfill%')) AS "lockWaiters",
      (SELECT sum(numbackends) FROM pg_stat_database)::float8
        / current_setting('max_connections')::float8 AS "connectionUse",
      (SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid IN (${tables})) AS "vacuums"
  `.execute(db);
  const row = result.rows[0];
  return {
    currentWalLsn: row?.currentWalLsn ?? undefined,
    replicas: replicaRows(row?.replicas),
    oldestTransactionS: Number(row?.oldestTransactionS ?? 0),
    lockWaiters: Number(row?.lockWaiters ?? 0),
    connectionUse: Number(row?.connectionUse ?? 0),
    vacuums: Number(row?.vacuums ?? 0),
  };
}

function replicaRows(value: unknown): ReplicaRow[] {
  if (!Array.isArray(value)) return [];
  return value.map((r: { replayLsn?: unknown; replayLagS?: unknown }) => ({
    replayLsn: String(r.replayLsn),
    replayLagS: Number(r.replayLagS ?? 0),
  }));
}

/** The operator's throttle query: throttle when it returns a row whose first column is truthy. */
export async function runThrottleQuery(db: Kysely<Database>, query: string): Promise<boolean> {
  const result = await sql.raw<Record<string, unknown>>(query).execute(db);
  const first = result.rows[0];
  if (!first) return false;
  const value = Object.values(first)[0];
  return (
    value !== null && value !== undefined && value !== false && value !== 0 && value !== "" && value !== "0"
  );
}
