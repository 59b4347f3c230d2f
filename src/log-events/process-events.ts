import { ID, COUNT, ERR, STR, BOOL, MS, ATTEMPT, TEXT_OR_NULL, type LogEventEntry } from "./field-schemas.js";

/** The events of workers, services, the scheduler and the queue (part of LOG_EVENTS, src/log-events/log-events.ts). */
export const PROCESS_LOG_EVENTS = {
  "worker.started": {
    level: "info",
    when: "a worker (the `worker` command, or `run`'s in-process one) began consuming",
    fields: "`concurrency`, `queues`, `leaseMs`, `actor`",
    schema: {
      properties: { concurrency: COUNT, queues: { type: "array", items: STR }, leaseMs: COUNT, actor: STR },
      required: ["concurrency", "queues", "leaseMs", "actor"],
    },
  },
  "worker.stopping": {
    level: "info",
    when: "shutdown began (signal, or the run ended)",
    fields: "`reason`, `deadlineMs`, `held` (leases held)",
    schema: {
      properties: { reason: STR, deadlineMs: COUNT, held: COUNT },
      required: ["reason", "deadlineMs", "held"],
    },
  },
  "worker.stopped": {
    level: "info / warn",
    when: "shutdown finished",
    fields: "`reason`, `released` (leases handed back), `durationMs`, `forced`",
    schema: {
      properties: { reason: STR, released: COUNT, durationMs: COUNT, forced: BOOL },
      required: ["reason", "released", "durationMs", "forced"],
    },
  },
  "worker.heartbeat": {
    level: "info",
    when: "a worker (the `worker` command, or `run`'s in-process one) is alive: once when it starts, then every `--heartbeat-seconds` (10 by default)",
    fields:
      "`actor`, `held` (leases held now), `lastBatchAt` (ISO time the last batch this process held was let go, null before the first), `intervalMs` (until the next heartbeat; silent for 3 of them = lost); `hostname` and `pid` are on every line",
    schema: {
      properties: { actor: STR, held: COUNT, lastBatchAt: TEXT_OR_NULL, intervalMs: ATTEMPT },
      required: ["actor", "held", "lastBatchAt", "intervalMs"],
    },
  },
  "worker.error": {
    level: "error / debug / warn",
    when: "a queue error that is not a lost connection; a job attempt failed (debug); a ledger resync failed (warn, `source` resync); the adaptive batch size could not measure or re-cut a run (warn, `source` adaptive); a worker could not read the progress of running runs (warn, `source` progress); a worker's heartbeat file check failed and the file was not renewed (warn once until it passes again, `source` heartbeat)",
    fields: "`source`?, `jobId`?, `err`",
    schema: { properties: { source: STR, jobId: STR, err: ERR }, required: ["err"] },
  },
  "db.unavailable": {
    level: "warn",
    when: "PostgreSQL stopped answering; jobs wait (no attempt spent) about as long as the outage so far, 1\u201330 s",
    fields: "`err`",
    schema: { properties: { err: ERR }, required: ["err"] },
  },
  "db.recovered": {
    level: "info",
    when: "PostgreSQL answers again",
    fields: "`downMs`",
    schema: { properties: { downMs: COUNT }, required: ["downMs"] },
  },
  "redis.unavailable": {
    level: "warn",
    when: "a Redis connection error (at most once per 10 s per source; the client reconnects)",
    fields: "`source`, `err`",
    schema: { properties: { source: STR, err: ERR }, required: ["source", "err"] },
  },
  "schedule.tick": {
    level: "info",
    when: "a scheduler tick started a run, or did not: a run is active, no tag is left to map, or the schedule was removed after the tick was queued (no run row then)",
    fields:
      "`started`, `reason`? (`run <status>`, `nothing to do`, `schedule removed`), `runId`?, `activeRunId`?, `batches`?",
    schema: {
      properties: { runId: ID, activeRunId: ID, started: BOOL, batches: COUNT, reason: STR },
      required: ["started"],
    },
  },
  "schedule.updated": {
    level: "info",
    when: "`schedule --every/--cron` installed the scheduler",
    fields: "`every` (ms) or `pattern`; `window` and `zone` when its runs get a time window (`--window`)",
    schema: { properties: { every: ATTEMPT, pattern: STR, window: STR, zone: STR }, required: [] },
  },
  "schedule.removed": {
    level: "info",
    when: "`schedule --remove` (and the ticks it had queued)",
    fields: "`removed`, `pendingTicks` (queued ticks removed)",
    schema: { properties: { removed: BOOL, pendingTicks: COUNT }, required: ["removed"] },
  },
  "queue.enqueued": {
    level: "debug",
    when: "batches were put on the queue",
    fields: "`runId`, `batches`",
    schema: { properties: { runId: ID, batches: COUNT }, required: ["runId", "batches"] },
  },
  "db.pool_error": {
    level: "warn",
    when: "from the connection layer",
    fields: "`err`",
    schema: { properties: { err: ERR }, required: [] },
  },
  "db.query_failed": {
    level: "debug",
    when: "from the connection layer",
    fields: "`sql`, `durationMs` (never parameter values)",
    schema: { properties: { sql: STR, durationMs: MS }, required: ["sql"] },
  },
  "schema.checked": {
    level: "info / warn / error",
    when: "`run`, `worker`, `reprocess`, `verify`, `explain` compared Quay's schema with the supported ones: info if supported; warn if not under `BACKFILL_SCHEMA_CHECK=warn`, or when off; error when the command stops for it; debug when none of the tables exists",
    fields:
      "`mode` (enforce, warn, off), `outcome` (supported, unknown, absent, skipped), `fingerprint`?, `schema`? (the supported schema matched, else the closest), `alembicRevision`? (Quay's `alembic_version`, null without one), `differences`? (each column, key or table that differs, with what was expected)",
    schema: {
      properties: {
        mode: { enum: ["enforce", "warn", "off"] },
        outcome: { enum: ["supported", "unknown", "absent", "skipped"] },
        fingerprint: STR,
        schema: STR,
        alembicRevision: TEXT_OR_NULL,
        differences: { type: "array", items: STR },
      },
      required: ["mode", "outcome"],
    },
  },
  "privileges.checked": {
    level: "info / error",
    when: "`run`, `worker`, `reprocess`, `verify`, `explain` checked that the database role holds the privileges the command needs (after `schema.checked`): info if it does; error when the command stops for it (exit 2)",
    fields:
      "`role`, `uses` (read, ledger, write, repair: what the command does), `outcome` (granted, missing), `absent` (required tables or schemas not there, left to the schema check), `missing`? (each object and what it lacks, e.g. `INSERT on table public.manifestblob`), `grants`? (the GRANT statements that fix it)",
    schema: {
      properties: {
        role: STR,
        uses: { type: "array", items: { enum: ["read", "ledger", "write", "repair"] } },
        outcome: { enum: ["granted", "missing"] },
        absent: { type: "array", items: STR },
        missing: { type: "array", items: STR },
        grants: { type: "array", items: STR },
      },
      required: ["role", "uses", "outcome", "absent"],
    },
  },
  "db.query": {
    level: "trace",
    when: "from the connection layer",
    fields: "`sql`, `durationMs` (never parameter values)",
    schema: { properties: { sql: STR, durationMs: MS }, required: ["sql"] },
  },
} as const satisfies Record<string, LogEventEntry>;
