import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";
import { durableCommit } from "./probe-commit-time.js";

/** One reading of the pacer (src/run/pacer.ts). */
export interface PaceReading {
  /** One durable commit, timed. */
  latencyMs: number;
  /**
   * Another application's session on this database is in a statement or a transaction, or ended one
   * within the last `sinceMs`.
   */
  appBusy: boolean;
}

export type TakePaceSample = (db: Kysely<Database>, sinceMs: number) => Promise<PaceReading>;

/**
 * Times one durable commit (the commit probe's statement, src/db/probe-commit-time.ts: it waits for the
 * WAL flush and needs a turn on the server's CPU, as the registry's own writes do), then looks whether
 * the application is at work: a session of it in a statement or a transaction, or one that ended a statement
 * since the previous sample (a registry's short queries are rarely caught running, but always recently). Sessions whose application_name starts with `backfill` are ours;
 * without `pg_read_all_stats` other roles' sessions show no state and the application reads as idle.
 */
export const takePaceSample: TakePaceSample = (db, sinceMs) =>
  db.connection().execute(async (conn) => {
    const start = performance.now();
    await durableCommit(conn, "pace probe");
    const latencyMs = performance.now() - start;
    const busy = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        AND coalesce(application_name, '') NOT LIKE 'backfill%'
        AND (state <> 'idle' OR state_change > clock_timestamp() - make_interval(secs => ${sinceMs / 1000}))`.execute(
      conn,
    );
    return { latencyMs, appBusy: (busy.rows[0]?.n ?? 0) > 0 };
  });
