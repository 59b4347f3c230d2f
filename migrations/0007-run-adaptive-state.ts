import { sql, type Kysely } from "kysely";

/**
 * Per-run state of the adaptive batch size and the run-level settings `backfill tune` changes:
 * - `adaptive_state`: what the one process deciding for the run remembers between ticks (the smoothed ms
 *   per tag, the samples since the last change, the newest batch measured, the contended deliveries seen),
 *   so whichever process decides next continues the same average;
 * - `contended_deliveries`: deliveries of the run's batches ended by a lock or statement timeout, ever;
 *   a rise since the last decision halves the batch size;
 * - `target_batch_ms`: the run's target batch duration (`tune --target-batch-seconds`, 0: no adaptation),
 *   NULL for the one recorded in its configuration;
 * - `max_concurrency`: at most this many of the run's batches claimed at once across all workers, NULL
 *   for no cap.
 */
const STATEMENTS = [
  `ALTER TABLE backfill.run
     ADD COLUMN adaptive_state jsonb,
     ADD COLUMN contended_deliveries bigint NOT NULL DEFAULT 0,
     ADD COLUMN target_batch_ms double precision,
     ADD COLUMN max_concurrency integer,
     ADD CONSTRAINT run_target_batch_ms_range CHECK (target_batch_ms >= 0),
     ADD CONSTRAINT run_max_concurrency_positive CHECK (max_concurrency > 0)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `ALTER TABLE backfill.run DROP COLUMN IF EXISTS max_concurrency, DROP COLUMN IF EXISTS target_batch_ms,
         DROP COLUMN IF EXISTS contended_deliveries, DROP COLUMN IF EXISTS adaptive_state`,
    )
    .execute(db);
}
