/**
 * The log vocabulary, one entry per event: its level and when it is logged (the table of
 * docs/log-events.md) and the JSON schema of its fields (docs/log-events.schema.json). Both files are
 * generated from this map (`npm run docs:log-events`), and the fields `logEvent` takes are typed from the
 * same schemas, so code, docs and schema cannot drift.
 */

// Shared field schemas: ids are strings of digits, counts non-negative integers, errors a message or object.
const ID = { type: "string", pattern: "^[0-9]+$" } as const;
const COUNT = { type: "integer", minimum: 0 } as const;
const ERR = { type: ["string", "object"] } as const;

/** A field schema, as far as the field types below read it. */
export interface FieldSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly items?: FieldSchema;
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: FieldSchema | boolean;
  readonly [keyword: string]: unknown;
}

export interface LogEventEntry {
  /** The level(s) it is logged at, for the docs. */
  readonly level: string;
  /** When it is logged. */
  readonly when: string;
  /** Its fields in words (units, meanings), for the docs. */
  readonly fields: string;
  readonly schema: {
    readonly properties: Readonly<Record<string, FieldSchema>>;
    readonly required: readonly string[];
  };
}

export const LOG_EVENTS = {
  "run.started": {
    level: "info",
    when: "a run was created and its batches cut",
    fields:
      "`runId`, `kind` (backfill, scheduled, reprocess), `target`, `dryRun`, `totalTags`, `batches`, `batchSize`, `concurrency`?",
    schema: {
      properties: {
        runId: ID,
        kind: {
          enum: ["backfill", "scheduled", "reprocess"],
        },
        target: {
          type: "string",
        },
        dryRun: {
          type: "boolean",
        },
        totalTags: COUNT,
        batches: COUNT,
        batchSize: COUNT,
        concurrency: COUNT,
      },
      required: ["runId", "kind", "target", "dryRun", "totalTags", "batches", "batchSize"],
    },
  },
  "run.resumed": {
    level: "info",
    when: "`run` found the target's active run and continues it; or `backfill resume` resumed a paused run",
    fields:
      "as `run.started`; `batches` = batches not done. From `resume` also `actor` (user@host), `from`, `reason`?, `enqueued` (false when Redis was down), `err`?",
    schema: {
      properties: {
        runId: ID,
        kind: {
          enum: ["backfill", "scheduled", "reprocess"],
        },
        target: {
          type: "string",
        },
        dryRun: {
          type: "boolean",
        },
        totalTags: COUNT,
        batches: COUNT,
        batchSize: COUNT,
        concurrency: COUNT,
        actor: {
          type: "string",
          minLength: 1,
        },
        from: {
          enum: ["pending", "running", "paused", "cancelled", "completed", "failed"],
        },
        reason: {
          type: "string",
        },
        enqueued: {
          type: "boolean",
        },
        err: ERR,
      },
      required: ["runId", "kind", "target", "dryRun", "totalTags", "batches", "batchSize"],
    },
  },
  "run.paused": {
    level: "warn",
    when: "`backfill pause` (logged by that command)",
    fields: "`runId`, `actor` (user@host), `from`, `status` (paused), `reason`?",
    schema: {
      properties: {
        runId: ID,
        actor: {
          type: "string",
          minLength: 1,
        },
        from: {
          enum: ["pending", "running", "paused", "cancelled", "completed", "failed"],
        },
        status: {
          const: "paused",
        },
        reason: {
          type: "string",
        },
      },
      required: ["runId", "actor", "from", "status"],
    },
  },
  "run.cancelled": {
    level: "warn",
    when: "`backfill cancel` (logged by that command)",
    fields: "`runId`, `actor` (user@host), `from`, `status` (cancelled), `reason`?",
    schema: {
      properties: {
        runId: ID,
        actor: {
          type: "string",
          minLength: 1,
        },
        from: {
          enum: ["pending", "running", "paused", "cancelled", "completed", "failed"],
        },
        status: {
          const: "cancelled",
        },
        reason: {
          type: "string",
        },
      },
      required: ["runId", "actor", "from", "status"],
    },
  },
  "run.progress": {
    level: "info",
    when: "every 5 s while `run` follows a run without a terminal, and at its end or pause (`err`: ledger unreadable)",
    fields:
      "`runId`, `done`, `total` (tags), `batchesDone`, `batchesTotal`, `broken`, `failed`, `ratePerSec`, `etaMs` (null while unknown)",
    schema: {
      properties: {
        runId: ID,
        done: COUNT,
        total: COUNT,
        batchesDone: COUNT,
        batchesTotal: COUNT,
        broken: COUNT,
        failed: COUNT,
        ratePerSec: {
          type: "number",
          minimum: 0,
        },
        etaMs: {
          type: ["integer", "null"],
          minimum: 0,
        },
        err: ERR,
      },
      required: ["runId"],
    },
  },
  "run.completed": {
    level: "info / error",
    when: "the last batch settled (logged once, by whoever closed the run)",
    fields:
      "`runId`, `kind`, `status` (completed, failed), `dryRun`, `totalTags`, `counts` {backfilled, backfilled_broken, skipped, failed}, `byReason`, `batches` {pending, running, done, failed, total}, `durationMs`, `error`",
    schema: {
      properties: {
        runId: ID,
        kind: {
          enum: ["backfill", "scheduled", "reprocess"],
        },
        status: {
          enum: ["completed", "failed"],
        },
        dryRun: {
          type: "boolean",
        },
        totalTags: COUNT,
        counts: {
          type: "object",
          required: ["backfilled", "backfilled_broken", "skipped", "failed"],
          additionalProperties: false,
          properties: {
            backfilled: COUNT,
            backfilled_broken: COUNT,
            skipped: COUNT,
            failed: COUNT,
          },
        },
        byReason: {
          type: "object",
          additionalProperties: COUNT,
        },
        batches: {
          type: "object",
          required: ["pending", "running", "done", "failed", "total"],
          properties: {
            pending: COUNT,
            running: COUNT,
            done: COUNT,
            failed: COUNT,
            total: COUNT,
          },
        },
        durationMs: COUNT,
        error: {
          type: ["string", "null"],
        },
      },
      required: [
        "runId",
        "kind",
        "status",
        "dryRun",
        "totalTags",
        "counts",
        "byReason",
        "batches",
        "durationMs",
      ],
    },
  },
  "run.interrupted": {
    level: "warn",
    when: "`run` stopped on a signal; the run stays active",
    fields: "`runId`, `status`",
    schema: {
      properties: {
        runId: ID,
        status: {
          type: "string",
        },
      },
      required: ["runId", "status"],
    },
  },
  "run.waiting": {
    level: "warn",
    when: "`run` follows a run paused by another process and waits for it to be resumed (then goes on) or cancelled",
    fields:
      "`runId`, `status` (paused), `pausedBy` (the operator, user@host), `reason`?, `resume`, `cancel` (the commands)",
    schema: {
      properties: {
        runId: ID,
        status: {
          const: "paused",
        },
        pausedBy: {
          type: "string",
        },
        reason: {
          type: "string",
        },
        resume: {
          type: "string",
        },
        cancel: {
          type: "string",
        },
      },
      required: ["runId", "status", "pausedBy", "resume", "cancel"],
    },
  },
  "batch.completed": {
    level: "info",
    when: "a batch committed (or, dry run, was planned)",
    fields:
      "`runId`, `batchId`, `attempt`, `lo`, `hi`, `counts`, `tags`, `loadMs`, `planMs`, `signMs`, `writeMs`, `durationMs`, `queries`, `rowsWritten`, `dryRun`",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        attempt: {
          type: "integer",
          minimum: 1,
        },
        lo: COUNT,
        hi: COUNT,
        counts: {
          type: "object",
          required: ["backfilled", "backfilled_broken", "skipped", "failed"],
          additionalProperties: false,
          properties: {
            backfilled: COUNT,
            backfilled_broken: COUNT,
            skipped: COUNT,
            failed: COUNT,
          },
        },
        tags: COUNT,
        loadMs: {
          type: "number",
          minimum: 0,
        },
        planMs: {
          type: "number",
          minimum: 0,
        },
        signMs: {
          type: "number",
          minimum: 0,
        },
        writeMs: {
          type: "number",
          minimum: 0,
        },
        durationMs: COUNT,
        queries: COUNT,
        rowsWritten: COUNT,
        dryRun: {
          type: "boolean",
        },
      },
      required: [
        "runId",
        "batchId",
        "attempt",
        "lo",
        "hi",
        "counts",
        "tags",
        "loadMs",
        "planMs",
        "signMs",
        "writeMs",
        "durationMs",
        "queries",
        "rowsWritten",
        "dryRun",
      ],
    },
  },
  "batch.retrying": {
    level: "warn",
    when: "a batch attempt failed; the lease was released and the queue retries with backoff",
    fields: "`runId`, `batchId`, `attempt`, `lo`, `hi`, `maxAttempts`, `err`",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        attempt: {
          type: "integer",
          minimum: 1,
        },
        lo: COUNT,
        hi: COUNT,
        maxAttempts: COUNT,
        err: ERR,
      },
      required: ["runId", "batchId", "attempt", "err"],
    },
  },
  "batch.failed": {
    level: "error",
    when: "a batch failed on its last attempt, or with an error no retry can fix",
    fields: "`runId`, `batchId`, `attempt`, `lo`, `hi`, `err`, `permanent`",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        attempt: {
          type: "integer",
          minimum: 1,
        },
        lo: COUNT,
        hi: COUNT,
        err: ERR,
        permanent: {
          type: "boolean",
        },
      },
      required: ["runId", "batchId", "attempt", "lo", "hi", "err", "permanent"],
    },
  },
  "batch.preempted": {
    level: "warn",
    when: "the lease was lost before the commit; the batch wrote nothing",
    fields: "`runId`, `batchId`, `attempt`, `lo`, `hi`",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        attempt: {
          type: "integer",
          minimum: 1,
        },
        lo: COUNT,
        hi: COUNT,
      },
      required: ["runId", "batchId", "attempt", "lo", "hi"],
    },
  },
  "batch.skipped": {
    level: "debug",
    when: "a delivery found the batch done or failed already, or its run not running (paused, cancelled, over)",
    fields: "`runId`, `batchId`, `status` (the batch's, or `run <status>`)",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        status: {
          type: "string",
        },
      },
      required: ["runId", "batchId", "status"],
    },
  },
  "batch.lease_lost": {
    level: "warn",
    when: "renewing the lease failed or found it taken",
    fields: "`runId`, `batchId`, `err`?",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        attempt: {
          type: "integer",
          minimum: 1,
        },
        err: ERR,
      },
      required: ["runId", "batchId"],
    },
  },
  "tag.broken": {
    level: "info",
    when: "a tag was mapped with Quay's placeholder",
    fields: "`runId`, `batchId`, `repositoryTagId`, `repository` (ns/name), `tag`, `reason`, `detail`",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        repositoryTagId: COUNT,
        repository: {
          type: "string",
        },
        tag: {
          type: "string",
        },
        reason: {
          type: "string",
        },
        detail: {
          type: ["string", "null"],
        },
      },
      required: ["runId", "batchId", "repositoryTagId", "repository", "tag", "reason"],
    },
  },
  "tag.failed": {
    level: "warn",
    when: "a tag threw something unexpected, was isolated and stays unmapped",
    fields: "as `tag.broken`",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        repositoryTagId: COUNT,
        repository: {
          type: "string",
        },
        tag: {
          type: "string",
        },
        reason: {
          type: ["string", "null"],
        },
        detail: {
          type: ["string", "null"],
        },
      },
      required: ["runId", "batchId", "repositoryTagId", "repository", "tag"],
    },
  },
  "tag.repaired": {
    level: "info",
    when: "`reprocess --force` repaired a mapped tag (once per tag, after the commit)",
    fields:
      "`runId`, `batchId`, `repositoryTagId`, `repository`, `tag`, `detail` (the changed columns and notes, as `tag_outcome.reprocess_detail`), `changes` (count), `columns` (distinct `table.column`)",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        repositoryTagId: COUNT,
        repository: {
          type: "string",
        },
        tag: {
          type: "string",
        },
        detail: {
          type: ["string", "null"],
        },
        changes: COUNT,
        columns: {
          type: "array",
          items: {
            type: "string",
            pattern: "^[a-z_]+\\.[a-z_]+$",
          },
        },
      },
      required: ["runId", "batchId", "repositoryTagId", "repository", "tag", "detail", "changes", "columns"],
    },
  },
  "tag.repair_refused": {
    level: "warn",
    when: "`reprocess --force` left a mapped tag as it is because repairing it would break a rule (digest under a live tag, another tag's manifest bytes, an inconsistent mapping)",
    fields:
      "as `tag.repaired`, plus `reason` (the refusal code: `would_change_digest_under_live_tag`, `would_change_digest`, `shared_manifest_bytes`, `inconsistent_mapping`); `changes` and `columns` are what was not done",
    schema: {
      properties: {
        runId: ID,
        batchId: ID,
        repositoryTagId: COUNT,
        repository: {
          type: "string",
        },
        tag: {
          type: "string",
        },
        reason: {
          type: "string",
          minLength: 1,
        },
        detail: {
          type: ["string", "null"],
        },
        changes: COUNT,
        columns: {
          type: "array",
          items: {
            type: "string",
            pattern: "^[a-z_]+\\.[a-z_]+$",
          },
        },
      },
      required: [
        "runId",
        "batchId",
        "repositoryTagId",
        "repository",
        "tag",
        "reason",
        "detail",
        "changes",
        "columns",
      ],
    },
  },
  "worker.started": {
    level: "info",
    when: "a worker (the `worker` command, or `run`'s in-process one) began consuming",
    fields: "`concurrency`, `queues`, `leaseMs`, `actor`",
    schema: {
      properties: {
        concurrency: COUNT,
        queues: {
          type: "array",
          items: {
            type: "string",
          },
        },
        leaseMs: COUNT,
        actor: {
          type: "string",
        },
      },
      required: ["concurrency", "queues", "leaseMs", "actor"],
    },
  },
  "worker.stopping": {
    level: "info",
    when: "shutdown began (signal, or the run ended)",
    fields: "`reason`, `deadlineMs`, `held` (leases held)",
    schema: {
      properties: {
        reason: {
          type: "string",
        },
        deadlineMs: COUNT,
        held: COUNT,
      },
      required: ["reason", "deadlineMs", "held"],
    },
  },
  "worker.stopped": {
    level: "info / warn",
    when: "shutdown finished",
    fields: "`reason`, `released` (leases handed back), `durationMs`, `forced`",
    schema: {
      properties: {
        reason: {
          type: "string",
        },
        released: COUNT,
        durationMs: COUNT,
        forced: {
          type: "boolean",
        },
      },
      required: ["reason", "released", "durationMs", "forced"],
    },
  },
  "worker.error": {
    level: "error / debug / warn",
    when: "a queue error that is not a lost connection; a job attempt failed (debug); a ledger resync failed (warn, `source` resync)",
    fields: "`source`?, `jobId`?, `err`",
    schema: {
      properties: {
        source: {
          type: "string",
        },
        jobId: {
          type: "string",
        },
        err: ERR,
      },
      required: ["err"],
    },
  },
  "db.unavailable": {
    level: "warn",
    when: "PostgreSQL stopped answering; jobs wait (no attempt spent) about as long as the outage so far, 1\u201330 s",
    fields: "`err`",
    schema: {
      properties: {
        err: ERR,
      },
      required: ["err"],
    },
  },
  "db.recovered": {
    level: "info",
    when: "PostgreSQL answers again",
    fields: "`downMs`",
    schema: {
      properties: {
        downMs: COUNT,
      },
      required: ["downMs"],
    },
  },
  "redis.unavailable": {
    level: "warn",
    when: "a Redis connection error (at most once per 10 s per source; the client reconnects)",
    fields: "`source`, `err`",
    schema: {
      properties: {
        source: {
          type: "string",
        },
        err: ERR,
      },
      required: ["source", "err"],
    },
  },
  "schedule.tick": {
    level: "info",
    when: "a scheduler tick started a run, or did not: a run is active, no tag is left to map, or the schedule was removed after the tick was queued (no run row then)",
    fields:
      "`started`, `reason`? (`run <status>`, `nothing to do`, `schedule removed`), `runId`?, `activeRunId`?, `batches`?",
    schema: {
      properties: {
        runId: ID,
        activeRunId: ID,
        started: {
          type: "boolean",
        },
        batches: COUNT,
        reason: {
          type: "string",
        },
      },
      required: ["started"],
    },
  },
  "schedule.updated": {
    level: "info",
    when: "`schedule --every/--cron` installed the scheduler",
    fields: "`every` (ms) or `pattern`",
    schema: {
      properties: {
        every: {
          type: "integer",
          minimum: 1,
        },
        pattern: {
          type: "string",
        },
      },
      required: [],
    },
  },
  "schedule.removed": {
    level: "info",
    when: "`schedule --remove` (and the ticks it had queued)",
    fields: "`removed`, `pendingTicks` (queued ticks removed)",
    schema: {
      properties: {
        removed: {
          type: "boolean",
        },
        pendingTicks: COUNT,
      },
      required: ["removed"],
    },
  },
  "queue.enqueued": {
    level: "debug",
    when: "batches were put on the queue",
    fields: "`runId`, `batches`",
    schema: {
      properties: {
        runId: ID,
        batches: COUNT,
      },
      required: ["runId", "batches"],
    },
  },
  "db.pool_error": {
    level: "warn",
    when: "from the connection layer",
    fields: "`err`",
    schema: {
      properties: {
        err: ERR,
      },
      required: [],
    },
  },
  "db.query_failed": {
    level: "debug",
    when: "from the connection layer",
    fields: "`sql`, `durationMs` (never parameter values)",
    schema: {
      properties: {
        sql: {
          type: "string",
        },
        durationMs: {
          type: "number",
          minimum: 0,
        },
      },
      required: ["sql"],
    },
  },
  "db.query": {
    level: "trace",
    when: "from the connection layer",
    fields: "`sql`, `durationMs` (never parameter values)",
    schema: {
      properties: {
        sql: {
          type: "string",
        },
        durationMs: {
          type: "number",
          minimum: 0,
        },
      },
      required: ["sql"],
    },
  },
} as const satisfies Record<string, LogEventEntry>;

export type LogEventName = keyof typeof LOG_EVENTS;

type TypeOfName<T> = T extends "string"
  ? string
  : T extends "integer" | "number"
    ? number
    : T extends "boolean"
      ? boolean
      : T extends "null"
        ? null
        : T extends "object"
          ? object
          : T extends "array"
            ? readonly unknown[]
            : never;

type Flatten<T> = { [K in keyof T]: T[K] };

type ObjectOf<P, R> = Flatten<
  { -readonly [K in keyof P & R]: FieldType<P[K]> } & {
    -readonly [K in Exclude<keyof P, R>]?: FieldType<P[K]>;
  }
>;

/** The TypeScript type of a value a field schema accepts (the keywords LOG_EVENTS uses). */
export type FieldType<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { type: "array"; items: infer I }
      ? readonly FieldType<I>[]
      : S extends { type: "object"; properties: infer P; required: readonly (infer R)[] }
        ? ObjectOf<P, R>
        : S extends { type: "object"; additionalProperties: infer A }
          ? Readonly<Record<string, FieldType<A>>>
          : S extends { type: readonly (infer T)[] }
            ? TypeOfName<T>
            : S extends { type: infer T }
              ? TypeOfName<T>
              : unknown;

/** Fields any line may carry (the schema's common properties): the job's and the batch's ids. */
export interface CommonLogFields {
  runId?: string;
  batchId?: string;
  queue?: string;
  jobId?: string;
}

/** Fields a child logger usually binds (a job's, a batch's), so a call may leave them out. */
type BoundField = "runId" | "batchId" | "attempt" | "queue" | "jobId";

type Schema<E extends LogEventName> = (typeof LOG_EVENTS)[E]["schema"];

/** The fields of one event, typed from its schema; the ones a logger binds are optional at the call. */
export type LogEventFields<E extends LogEventName> = ObjectOf<
  Schema<E>["properties"],
  Exclude<Schema<E>["required"][number], BoundField>
>;
