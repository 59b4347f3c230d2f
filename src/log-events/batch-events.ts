import {
  ID,
  COUNT,
  ERR,
  STR,
  BOOL,
  MS,
  TEXT_OR_NULL,
  ATTEMPT,
  ACTOR,
  COLUMNS,
  TAG_COUNTS,
  BATCH_KEY,
  BATCH_KEY_NAMES,
  TAG_KEY,
  TAG_KEY_NAMES,
  type LogEventEntry,
} from "./field-schemas.js";

/** The events of batches and tags (part of LOG_EVENTS, src/log-events/log-events.ts). */
export const BATCH_LOG_EVENTS = {
  "batch.completed": {
    level: "info",
    when: "a batch committed (or, dry run, was planned)",
    fields:
      "`runId`, `batchId`, `attempt`, `lo`, `hi`, `counts`, `tags`, `loadMs`, `planMs`, `signMs`, `writeMs`, `durationMs`, `queries`, `rowsWritten`, `dryRun`",
    schema: {
      properties: {
        ...BATCH_KEY,
        counts: TAG_COUNTS,
        tags: COUNT,
        loadMs: MS,
        planMs: MS,
        signMs: MS,
        writeMs: MS,
        durationMs: COUNT,
        queries: COUNT,
        rowsWritten: COUNT,
        dryRun: BOOL,
      },
      required: [
        ...BATCH_KEY_NAMES,
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
        ...BATCH_KEY,
        maxAttempts: COUNT,
        err: ERR,
      },
      required: ["runId", "batchId", "attempt", "err"],
    },
  },
  "batch.contended": {
    level: "warn",
    when: "a batch hit the lock or statement timeout of the session guards; it was given back without spending an attempt and comes back after `retryAfterMs`",
    fields:
      "`runId`, `batchId`, `attempt`, `lo`, `hi`, `sqlstate` (`55P03` lock timeout, `57014` statement timeout), `contended` (deliveries in a row that ended so; 0 after a split), `retryAfterMs`, `splitInto`? (the new batch that took the upper half, when this one was cut in two), `err`",
    schema: {
      properties: {
        ...BATCH_KEY,
        sqlstate: { type: "string", pattern: "^[0-9A-Z]{5}$" },
        contended: COUNT,
        retryAfterMs: MS,
        splitInto: ID,
        err: ERR,
      },
      required: [...BATCH_KEY_NAMES, "sqlstate", "contended", "retryAfterMs", "err"],
    },
  },
  "batch.trimmed": {
    level: "warn",
    when: "a worker claimed a batch with more candidate tags than its own heap holds at its concurrency (the run's largest size came from a process with a larger heap): it keeps the first `maxTags` and gives the rest back as a new pending batch",
    fields:
      "`runId`, `batchId`, `attempt`, `lo`, `hi` (what it keeps), `maxTags` (this worker's heap-safe size), `givenBack` (the new batch), `givenBackLo`, `givenBackHi`, `enqueued` (false: the ledger resync enqueues it), `err`?",
    schema: {
      properties: {
        ...BATCH_KEY,
        maxTags: COUNT,
        givenBack: ID,
        givenBackLo: COUNT,
        givenBackHi: COUNT,
        enqueued: BOOL,
        err: ERR,
      },
      required: [...BATCH_KEY_NAMES, "maxTags", "givenBack", "givenBackLo", "givenBackHi", "enqueued"],
    },
  },
  "batch.failed": {
    level: "error",
    when: "a batch failed on its last attempt, or with an error no retry can fix",
    fields: "`runId`, `batchId`, `attempt`, `lo`, `hi`, `err`, `permanent`",
    schema: {
      properties: {
        ...BATCH_KEY,
        err: ERR,
        permanent: BOOL,
      },
      required: [...BATCH_KEY_NAMES, "err", "permanent"],
    },
  },
  "batch.preempted": {
    level: "warn",
    when: "the lease was lost before the commit; the batch wrote nothing",
    fields: "`runId`, `batchId`, `attempt`, `lo`, `hi`",
    schema: {
      properties: BATCH_KEY,
      required: BATCH_KEY_NAMES,
    },
  },
  "batch.skipped": {
    level: "debug",
    when: "a delivery found the batch done or failed already, gone (re-cut by `backfill tune`), or its run not running (paused, cancelled, over)",
    fields: "`runId`, `batchId`, `status` (the batch's, `gone`, or `run <status>`)",
    schema: { properties: { runId: ID, batchId: ID, status: STR }, required: ["runId", "batchId", "status"] },
  },
  "batch.lease_lost": {
    level: "warn",
    when: "renewing the lease failed or found it taken",
    fields: "`runId`, `batchId`, `attempt`, `err`?",
    schema: {
      properties: { runId: ID, batchId: ID, attempt: ATTEMPT, err: ERR },
      required: ["runId", "batchId"],
    },
  },
  "tag.broken": {
    level: "info",
    when: "a tag was mapped with Quay's placeholder",
    fields: "`runId`, `batchId`, `repositoryTagId`, `repository` (ns/name), `tag`, `reason`, `detail`",
    schema: {
      properties: {
        ...TAG_KEY,
        reason: STR,
        detail: TEXT_OR_NULL,
      },
      required: [...TAG_KEY_NAMES, "reason"],
    },
  },
  "tag.failed": {
    level: "warn",
    when: "a tag threw something unexpected, was isolated and stays unmapped",
    fields: "as `tag.broken`",
    schema: {
      properties: {
        ...TAG_KEY,
        reason: TEXT_OR_NULL,
        detail: TEXT_OR_NULL,
      },
      required: TAG_KEY_NAMES,
    },
  },
  "tag.repaired": {
    level: "info",
    when: "`reprocess --force` repaired a mapped tag (once per tag, after the commit)",
    fields:
      "`runId`, `batchId`, `repositoryTagId`, `repository`, `tag`, `detail` (the changed columns and notes, as `tag_outcome.reprocess_detail`), `changes` (count), `columns` (distinct `table.column`)",
    schema: {
      properties: {
        ...TAG_KEY,
        detail: TEXT_OR_NULL,
        changes: COUNT,
        columns: COLUMNS,
      },
      required: [...TAG_KEY_NAMES, "detail", "changes", "columns"],
    },
  },
  "tag.repair_refused": {
    level: "warn",
    when: "`reprocess --force` left a mapped tag as it is because repairing it would break a rule (digest under a live tag, another tag's manifest bytes, an inconsistent mapping)",
    fields:
      "as `tag.repaired`, plus `reason` (the refusal code: `would_change_digest_under_live_tag`, `would_change_digest`, `shared_manifest_bytes`, `inconsistent_mapping`); `changes` and `columns` are what was not done",
    schema: {
      properties: {
        ...TAG_KEY,
        reason: ACTOR,
        detail: TEXT_OR_NULL,
        changes: COUNT,
        columns: COLUMNS,
      },
      required: [...TAG_KEY_NAMES, "reason", "detail", "changes", "columns"],
    },
  },
} as const satisfies Record<string, LogEventEntry>;
