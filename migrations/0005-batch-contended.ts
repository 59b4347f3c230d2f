import { sql, type Kysely } from "kysely";

/**
 * How many deliveries of a batch in a row ended contended (a lock or statement timeout of the session
 * guards): the delay before the next one grows with it. Those deliveries spend no attempt.
 */
const STATEMENTS = [`ALTER TABLE backfill.batch ADD COLUMN contended integer NOT NULL DEFAULT 0`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE backfill.batch DROP COLUMN IF EXISTS contended`).execute(db);
}
