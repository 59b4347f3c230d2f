/**
 * A hand-written log of two runs, three workers and some garbage, for the dashboard tests; the figures
 * the tests expect are worked out by hand in the comments of log-aggregator.test.ts.
 */
export const T0 = Date.parse("2026-01-01T00:00:00.000Z");

const w1 = { host: "w1", pid: 101 };
const w2 = { host: "w2", pid: 202 };
const w3 = { host: "w3", pid: 303 };

function line(
  atMs: number,
  event: string,
  fields: Record<string, unknown>,
  from: { host: string; pid: number } = w1,
  level = "info",
): string {
  const time = new Date(T0 + atMs).toISOString();
  return JSON.stringify({ level, time, pid: from.pid, hostname: from.host, event, ...fields, msg: event });
}

const counts = (backfilled: number, broken: number, skipped: number, failed: number) => ({
  backfilled,
  backfilled_broken: broken,
  skipped,
  failed,
});

function completed(atMs: number, runId: string, batchId: string, c: object, ms: number, from = w1): string {
  const stage = ms / 10;
  return line(
    atMs,
    "batch.completed",
    {
      runId,
      batchId,
      attempt: 1,
      lo: 1,
      hi: 20,
      counts: c,
      tags: 20,
      loadMs: stage,
      planMs: stage * 2,
      signMs: stage * 3,
      writeMs: stage * 4,
      durationMs: ms,
      queries: 12,
      rowsWritten: 100,
      dryRun: false,
    },
    from,
  );
}

const tag = (atMs: number, event: string, batchId: string, reason: string, level = "info") =>
  line(
    atMs,
    event,
    { runId: "7", batchId, repositoryTagId: 5, repository: "acme/web", tag: "v1", reason, detail: null },
    w1,
    level,
  );

const beat = (atMs: number, from: typeof w1, held: number, lastBatchAt: number | null, intervalMs: number) =>
  line(
    atMs,
    "worker.heartbeat",
    {
      actor: `worker:${from.host}:${from.pid}`,
      held,
      lastBatchAt: lastBatchAt === null ? null : new Date(T0 + lastBatchAt).toISOString(),
      intervalMs,
    },
    from,
  );

const started = (atMs: number, from: typeof w1) =>
  line(
    atMs,
    "worker.started",
    { concurrency: 2, queues: ["backfill-batch"], leaseMs: 30000, actor: `worker:${from.host}:${from.pid}` },
    from,
  );

const THROTTLE = "replay lag 3.1 s > 1 s";

export const DASHBOARD_LOG: string[] = [
  started(0, w1),
  beat(0, w1, 0, null, 10_000),
  started(0, w2),
  beat(0, w2, 0, null, 5000),
  line(1000, "run.started", {
    runId: "7",
    kind: "backfill",
    target: "all",
    dryRun: false,
    totalTags: 100,
    batches: 5,
    batchSize: 20,
  }),
  completed(3000, "7", "1", counts(18, 1, 0, 1), 1000),
  tag(3000, "tag.broken", "1", "missing_parent"),
  tag(3000, "tag.failed", "1", "unexpected", "warn"),
  completed(6000, "7", "2", counts(20, 0, 0, 0), 2000, w2),
  line(
    8000,
    "batch.retrying",
    { runId: "7", batchId: "3", attempt: 1, lo: 41, hi: 60, maxAttempts: 6, err: "connection reset" },
    w1,
    "warn",
  ),
  "this line is not JSON at all",
  completed(12000, "7", "3", counts(17, 2, 1, 0), 3000),
  tag(12000, "tag.broken", "3", "missing_parent"),
  tag(12000, "tag.broken", "3", "invalid_checksum"),
  beat(12500, w1, 1, 12000, 10_000),
  line(13000, "throttle.started", { runId: "7", reason: THROTTLE }, w1, "warn"),
  JSON.stringify({ level: 30, time: 1767225614000, msg: "a foreign pino line without an event" }),
  line(15000, "run.progress", {
    runId: "7",
    kind: "backfill",
    target: "all",
    status: "running",
    done: 59,
    total: 100,
    batchesDone: 3,
    batchesTotal: 5,
    batchesPending: 1,
    batchesRunning: 1,
    batchesFailed: 0,
    broken: 3,
    failed: 1,
    skipped: 1,
    ratePerSec: 4.8,
    etaMs: 8750,
    throttledMs: 2000,
    throttleReason: THROTTLE,
  }),
  '{"level":"info","time":"2026-01-01T00:00:16.000Z","event":"made.up","msg":"x"}',
  line(19000, "throttle.ended", { runId: "7", reason: THROTTLE, durationMs: 6000, totalMs: 6000 }),
  completed(21000, "7", "4", counts(20, 0, 0, 0), 4000, w2),
  // batch.completed without its counts: fails its schema.
  line(21500, "batch.completed", { runId: "7", batchId: "9", attempt: 1, lo: 1, hi: 2 }),
  line(
    22000,
    "batch.failed",
    { runId: "7", batchId: "5", attempt: 6, lo: 81, hi: 100, err: "permanent: boom", permanent: true },
    w1,
    "error",
  ),
  line(
    22000,
    "run.completed",
    {
      runId: "7",
      kind: "backfill",
      status: "failed",
      dryRun: false,
      totalTags: 100,
      counts: counts(75, 3, 1, 1),
      byReason: { missing_parent: 2, invalid_checksum: 1, hidden: 1 },
      batches: { pending: 0, running: 0, done: 4, failed: 1, total: 5 },
      durationMs: 21000,
      error: "1 batch failed",
    },
    w1,
    "error",
  ),
  "",
  "[1, 2]",
  '{"level":"info","time":"2026-01-01T00:00:2',
  started(30000, w3),
  line(30000, "run.started", {
    runId: "8",
    kind: "scheduled",
    target: "ns:acme",
    dryRun: false,
    totalTags: 50,
    batches: 2,
    batchSize: 25,
  }),
  line(31000, "worker.stopping", { reason: "SIGTERM", deadlineMs: 60000, held: 0 }, w3),
  line(31500, "worker.stopped", { reason: "SIGTERM", released: 0, durationMs: 500, forced: false }, w3),
  beat(32500, w1, 1, 22000, 10_000),
  completed(40000, "8", "11", counts(10, 0, 0, 0), 500),
  // A time that is no time: fails too.
  completed(40000, "8", "12", counts(1, 0, 0, 0), 100).replace(/"time":"[^"]+"/, '"time":"yesterday"'),
];
