import { sql, type Kysely } from "kysely";

/**
 * Per-run settings that `run`/`schedule` set and `backfill tune` changes while the run goes on: the time
 * window outside which the run is throttled (`time_window` as `22:00-06:00`, in the IANA zone
 * `time_zone`), and the run's own replica-lag threshold, overriding BACKFILL_MAX_REPLICA_LAG_SECONDS.
 * NULL means no window, or the process's threshold.
 */
const STATEMENTS = [
  `ALTER TABLE backfill.run
     ADD COLUMN time_window text,
     ADD COLUMN time_zone text,
     ADD COLUMN max_replica_lag_s double precision,
     ADD CONSTRAINT run_window_has_zone CHECK ((time_window IS NULL) = (time_zone IS NULL)),
     ADD CONSTRAINT run_max_replica_lag_positive CHECK (max_replica_lag_s > 0)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `ALTER TABLE backfill.run DROP COLUMN IF EXISTS max_replica_lag_s, DROP COLUMN IF EXISTS time_zone,
         DROP COLUMN IF EXISTS time_window`,
    )
    .execute(db);
}
