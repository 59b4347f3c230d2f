import {
  ID,
  COUNT,
  ERR,
  STR,
  BOOL,
  MS,
  TEXT_OR_NULL,
  ACTOR,
  RUN_KIND,
  RUN_STATUS,
  TAG_COUNTS,
  BATCH_COUNTS,
  type LogEventEntry,
} from "./field-schemas.js";

/** `backfill pause` and `backfill cancel`: the same fields, with the status each sets. */
function controlEvent<S extends "paused" | "cancelled">(command: string, status: S) {
  return {
    level: "warn",
    when: `\`backfill ${command}\` (logged by that command)`,
    fields: `\`runId\`, \`actor\` (user@host), \`from\`, \`status\` (${status}), \`reason\`?`,
    schema: {
      properties: { runId: ID, actor: ACTOR, from: RUN_STATUS, status: { const: status }, reason: STR },
      required: ["runId", "actor", "from", "status"],
    },
  } as const;
}

/** What `run.started` and `run.resumed` say of the run. */
const RUN_HEADER = {
  runId: ID,
  kind: RUN_KIND,
  target: STR,
  dryRun: BOOL,
  totalTags: COUNT,
  batches: COUNT,
  batchSize: COUNT,
  concurrency: COUNT,
  /** The run's adaptive batch size: target and the effective bounds (the maximum within the heap). */
  adaptive: {
    type: "object",
    required: ["targetBatchMs", "minBatchSize", "maxBatchSize"],
    properties: { targetBatchMs: MS, minBatchSize: COUNT, maxBatchSize: COUNT, heapMaxBatchSize: COUNT },
  },
} as const;
const RUN_HEADER_REQUIRED = [
  "runId",
  "kind",
  "target",
  "dryRun",
  "totalTags",
  "batches",
  "batchSize",
] as const;

/** The events of runs (part of LOG_EVENTS, src/log-events/log-events.ts). */
export const RUN_LOG_EVENTS = {
  "run.started": {
    level: "info",
    when: "a run was created and its batches cut",
    fields:
      "`runId`, `kind` (backfill, scheduled, reprocess), `target`, `dryRun`, `totalTags`, `batches`, `batchSize`, `concurrency`?, `adaptive`? {`targetBatchMs` (0: no adaptation), `minBatchSize`, `maxBatchSize` (the effective maximum: BACKFILL_MAX_BATCH_SIZE lowered to what the heap holds), `heapMaxBatchSize`}",
    schema: {
      properties: RUN_HEADER,
      required: RUN_HEADER_REQUIRED,
    },
  },
  "run.resumed": {
    level: "info",
    when: "`run` found the target's active run and continues it; or `backfill resume` resumed a paused run",
    fields:
      "as `run.started`; `batches` = batches not done. From `resume` also `actor` (user@host), `from`, `reason`?, `enqueued` (false when Redis was down), `err`?",
    schema: {
      properties: {
        ...RUN_HEADER,
        actor: ACTOR,
        from: RUN_STATUS,
        reason: STR,
        enqueued: BOOL,
        err: ERR,
      },
      required: RUN_HEADER_REQUIRED,
    },
  },
  "run.paused": controlEvent("pause", "paused"),
  "run.cancelled": controlEvent("cancel", "cancelled"),
  "run.progress": {
    level: "info",
    when: "every 5 s while `run` follows a run without a terminal, and at its end or pause (`err`: ledger unreadable); every `--heartbeat-seconds` from each `worker` for every running run",
    fields:
      "`runId`, `done`, `total` (tags), `batchesDone`, `batchesTotal`, `broken`, `failed`, `ratePerSec`, `etaMs` (null while unknown); or only `err` (warn) when the progress could not be read. From a `worker` also `kind`, `target`, `status`, `batchesPending`, `batchesRunning`, `batchesFailed`, `skipped` (tags), `throttledMs` (throttled time so far), `throttleReason` (null when not throttled)",
    schema: {
      properties: {
        runId: ID,
        done: COUNT,
        total: COUNT,
        batchesDone: COUNT,
        batchesTotal: COUNT,
        broken: COUNT,
        failed: COUNT,
        ratePerSec: MS,
        etaMs: { type: ["integer", "null"], minimum: 0 },
        err: ERR,
        kind: RUN_KIND,
        target: STR,
        status: RUN_STATUS,
        batchesPending: COUNT,
        batchesRunning: COUNT,
        batchesFailed: COUNT,
        skipped: COUNT,
        throttledMs: MS,
        throttleReason: TEXT_OR_NULL,
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
        kind: RUN_KIND,
        status: { enum: ["completed", "failed"] },
        dryRun: BOOL,
        totalTags: COUNT,
        counts: TAG_COUNTS,
        byReason: { type: "object", additionalProperties: COUNT },
        batches: BATCH_COUNTS,
        durationMs: COUNT,
        error: TEXT_OR_NULL,
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
    schema: { properties: { runId: ID, status: STR }, required: ["runId", "status"] },
  },
  "run.waiting": {
    level: "warn",
    when: "`run` follows a run paused by another process and waits for it to be resumed (then goes on) or cancelled",
    fields:
      "`runId`, `status` (paused), `pausedBy` (the operator, user@host), `reason`?, `resume`, `cancel` (the commands)",
    schema: {
      properties: {
        runId: ID,
        status: { const: "paused" },
        pausedBy: STR,
        reason: STR,
        resume: STR,
        cancel: STR,
      },
      required: ["runId", "status", "pausedBy", "resume", "cancel"],
    },
  },
  "run.tuned": {
    level: "info",
    when: "`backfill tune RUN` changed a run's settings (logged by that command), or the adaptive batch size changed its batch size (logged by the process following the run)",
    fields:
      "`runId`, `actor` (user@host; `adaptive` for the adaptive batch size), `status`, `changes` {setting: {from, to}} (`batchSize`, `maxReplicaLagS`, `window`, `targetBatchMs`, `maxConcurrency`, `niceRatio`; null = none, or for `niceRatio` the process's BACKFILL_NICE_RATIO), `reason`? (the adaptive one says why: `adaptive: 3.80 s per batch > 2.00 s target`, `adaptive: contended delivery, …`); with a new batch size `recut` (pending batches replaced), `batches` (their replacements), `enqueued` (false when Redis was down: the ledger resync enqueues them), `err`?",
    schema: {
      properties: {
        runId: ID,
        actor: ACTOR,
        status: RUN_STATUS,
        changes: {
          type: "object",
          additionalProperties: { type: "object", required: ["from", "to"] },
        },
        reason: STR,
        recut: COUNT,
        batches: COUNT,
        enqueued: BOOL,
        err: ERR,
      },
      required: ["runId", "actor", "status", "changes"],
    },
  },
  "throttle.started": {
    level: "warn",
    when: "a worker held a run's next batch back: a health signal over its threshold, the throttle query or URL, a manual switch, or the run's time window (logged once per throttled stretch)",
    fields:
      "`runId`, `reason` (every signal over its line, e.g. `replay lag 3.1 s > 1 s`, or `window 22:00-06:00 Europe/Berlin` outside the run's window)",
    schema: { properties: { runId: ID, reason: STR }, required: ["runId", "reason"] },
  },
  "throttle.ended": {
    level: "info",
    when: "every signal is back under its resume level (80% of the threshold) and a worker claims the run's next batch; or the run was paused or cancelled while throttled (logged by whoever paused it)",
    fields:
      "`runId`, `reason` (the last one), `durationMs` (this stretch), `totalMs` (the run's throttled time so far)",
    schema: {
      properties: { runId: ID, reason: STR, durationMs: MS, totalMs: MS },
      required: ["runId", "reason", "durationMs", "totalMs"],
    },
  },
  "pace.changed": {
    level: "info",
    when: 'a worker\'s pacer changed the rest after each batch by a tenth or more, or to or from none (decided at most every 2 s, when a batch ends; README, "Pacing")',
    fields:
      "`from`, `ratio` (rest per unit of batch time), `reason` (in words: how many commits were slowed while the process wrote, how much of the time it wrote, how busy the application was; or `application idle`), `appShare` (share of the samples that found the application busy), `duty` (share taken while this process wrote), `slowedWhileWriting` (share of those over the line), `slowLineMs` (1.5 × the uncontended commit time; null before it is measured), `samples`",
    schema: {
      properties: {
        from: { type: "number", minimum: 0 },
        ratio: { type: "number", minimum: 0 },
        reason: STR,
        appShare: { type: "number", minimum: 0, maximum: 1 },
        duty: { type: "number", minimum: 0, maximum: 1 },
        slowedWhileWriting: { type: "number", minimum: 0, maximum: 1 },
        slowLineMs: { type: ["number", "null"], minimum: 0 },
        samples: COUNT,
      },
      required: [
        "from",
        "ratio",
        "reason",
        "appShare",
        "duty",
        "slowedWhileWriting",
        "slowLineMs",
        "samples",
      ],
    },
  },
  "pace.off": {
    level: "warn",
    when: "a worker's pacer gave up after its probe failed three times in a row (e.g. the role may not write WAL messages): the process rests by `BACKFILL_NICE_RATIO` alone from then on",
    fields: "`err` (the last failure)",
    schema: { properties: { err: ERR }, required: ["err"] },
  },
  "throttle.read": {
    level: "info",
    when: "a worker read the throttle's signals: at most once per `BACKFILL_THROTTLE_CHECK_SECONDS`, when a delivery asks before its claim (all of the process's deliveries share the reading)",
    fields:
      "`tier` (`clear`, `throttle`, `critical`: the signals' verdict, before a run's own window, replica-lag line and manual switches), `reason` (null when clear), `signals` (each signal's value by name, in its unit: `response_time` and `commit_latency` ms, `replay_lag` and `transaction_age` seconds, `connection_use` a fraction, `wal_rate` bytes/s, counts; null when unreadable)",
    schema: {
      properties: {
        tier: { enum: ["clear", "throttle", "critical"] },
        reason: TEXT_OR_NULL,
        signals: { type: "object", additionalProperties: { type: ["number", "null"] } },
      },
      required: ["tier", "reason", "signals"],
    },
  },
  "throttle.switched": {
    level: "info",
    when: "`backfill throttle RUN|--all on|off` (logged by that command)",
    fields: "`runId`? (absent for --all), `on`, `actor` (user@host), `reason`?",
    schema: {
      properties: { runId: ID, on: BOOL, actor: ACTOR, reason: STR },
      required: ["on", "actor"],
    },
  },
} as const satisfies Record<string, LogEventEntry>;
