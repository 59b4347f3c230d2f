import { sql, type Kysely } from "kysely";

/**
 * A run's own nice ratio (`run --nice-ratio`, `backfill tune --nice-ratio`): after each batch its worker
 * slot rests that many times the batch's duration. NULL: the process's BACKFILL_NICE_RATIO.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `ALTER TABLE backfill.run ADD COLUMN nice_ratio double precision,
         ADD CONSTRAINT run_nice_ratio_range CHECK (nice_ratio >= 0 AND nice_ratio <= 100)`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE backfill.run DROP COLUMN IF EXISTS nice_ratio`).execute(db);
}
