import { sql, type Kysely } from "kysely";

/**
 * Throttling as ledger state. `throttle_switch` holds the operator's manual switches (`backfill throttle
 * RUN|--all on|off`): a row is a switch that is on, for one run or, with no run, for all of them. The run
 * keeps why it is held back now and since when, and the throttled time so far, so `status`, the rate and
 * the ETA can tell waiting from working.
 */
const STATEMENTS = [
  `CREATE TABLE backfill.throttle_switch (
    run_id bigint REFERENCES backfill.run (id) ON DELETE CASCADE,
    reason text,
    actor text NOT NULL,
    set_at timestamptz NOT NULL DEFAULT now()
  )`,
  // One switch per run, and one global switch (run_id NULL).
  `CREATE UNIQUE INDEX throttle_switch_scope ON backfill.throttle_switch ((coalesce(run_id, 0)))`,
  `ALTER TABLE backfill.run
     ADD COLUMN throttle_reason text,
     ADD COLUMN throttled_since timestamptz,
     ADD COLUMN throttled_ms bigint NOT NULL DEFAULT 0`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `ALTER TABLE backfill.run DROP COLUMN IF EXISTS throttled_ms, DROP COLUMN IF EXISTS throttled_since,
         DROP COLUMN IF EXISTS throttle_reason`,
    )
    .execute(db);
  await sql.raw(`DROP TABLE IF EXISTS backfill.throttle_switch`).execute(db);
}
