import { sql, type Kysely } from "kysely";

/**
 * The project's own tables, in schema `backfill` so they can never collide with Quay's: runs, their
 * batches (the unit a worker claims with a lease), the latest outcome of every legacy tag, and the
 * audit trail of run state changes.
 */
const STATEMENTS = [
  `CREATE SCHEMA IF NOT EXISTS backfill`,
  `CREATE TABLE backfill.run (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('backfill', 'scheduled', 'reprocess')),
    status text NOT NULL CHECK (status IN ('pending', 'running', 'paused', 'cancelled', 'completed', 'failed')),
    target text NOT NULL,
    filters jsonb NOT NULL DEFAULT '{}'::jsonb,
    options jsonb NOT NULL DEFAULT '{}'::jsonb,
    dry_run boolean NOT NULL DEFAULT false,
    batch_size integer NOT NULL CHECK (batch_size > 0),
    total_tags bigint,
    started_by jsonb NOT NULL DEFAULT '{}'::jsonb,
    config jsonb NOT NULL DEFAULT '{}'::jsonb,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  // At most one active run per target: a second `run` or a scheduler tick finds the first instead.
  `CREATE UNIQUE INDEX run_one_active_per_target ON backfill.run (target)
     WHERE status IN ('pending', 'running', 'paused')`,
  `CREATE INDEX run_status ON backfill.run (status)`,
  `CREATE TABLE backfill.batch (
    id bigserial PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES backfill.run (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    lo bigint NOT NULL,
    hi bigint NOT NULL,
    tag_ids bigint[],
    status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    lease_token uuid,
    lease_expires_at timestamptz,
    counts jsonb NOT NULL DEFAULT '{}'::jsonb,
    timings jsonb NOT NULL DEFAULT '{}'::jsonb,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    CHECK (lo <= hi)
  )`,
  `CREATE UNIQUE INDEX batch_run_id_seq ON backfill.batch (run_id, seq)`,
  `CREATE INDEX batch_run_id_status ON backfill.batch (run_id, status)`,
  `CREATE TABLE backfill.tag_outcome (
    repository_tag_id integer PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES backfill.run (id) ON DELETE CASCADE,
    batch_id bigint REFERENCES backfill.batch (id) ON DELETE SET NULL,
    outcome text NOT NULL CHECK (outcome IN ('backfilled', 'backfilled_broken', 'skipped', 'failed')),
    reason text,
    detail text,
    rewritten_ids integer NOT NULL DEFAULT 0,
    manifest_digest text,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX tag_outcome_run_id_outcome ON backfill.tag_outcome (run_id, outcome)`,
  `CREATE INDEX tag_outcome_reason ON backfill.tag_outcome (reason) WHERE reason IS NOT NULL`,
  `CREATE TABLE backfill.run_event (
    id bigserial PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES backfill.run (id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    from_status text,
    to_status text NOT NULL,
    actor text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb
  )`,
  `CREATE INDEX run_event_run_id ON backfill.run_event (run_id, at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["run_event", "tag_outcome", "batch", "run"]) {
    await sql.raw(`DROP TABLE IF EXISTS backfill.${table}`).execute(db);
  }
}
