import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { handleBackfillBatch } from "../../jobs/backfill-batch.js";
import { batchProgress } from "../../src/db/batch-progress.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { getRun } from "../../src/db/run-get.js";
import { openQueues } from "../../src/queue/backfill-queues.js";
import { LeaseRegistry } from "../../src/run/lease-registry.js";
import { runPass, type RunPassSetup } from "../../src/run/run-pass.js";
import { passVerdict } from "../../src/run/run-summary.js";
import { startWorkerRuntime } from "../../src/run/worker-runtime.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { freePort } from "./outage-support.js";
import {
  collectingLogger,
  fakeProcessBatch,
  insertLegacyTags,
  invalidLogLines,
  jsonLines,
  mappingSnapshot,
  runCli,
  waitFor,
} from "./run-support.js";
import { JOB_TABLE } from "../../jobs/job-table.js";
import { testRun } from "./run-pass-support.js";

const FAST_RETRY = { attempts: 3, backoffMs: 50, jitter: 0.5 };
const CONCURRENCY = 2;

describe("backfill pause, resume, cancel", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let candidates = 0;
  let env: Record<string, string>;
  const logs = collectingLogger();
  const cliOutput: string[] = [];

  before(async () => {
    tdb = await createTestDatabase("run_control");
    redis = await createTestRedis("run-control");
    ({ candidates } = await insertLegacyTags(tdb.db, {
      namespaces: ["acme", "beta"],
      reposPerNamespace: 3,
      tagsPerRepo: 20,
      hiddenEvery: 6,
    }));
    env = { DATABASE_URL: tdb.url, REDIS_URL: redis.url, BACKFILL_QUEUE_PREFIX: redis.prefix };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  const cli = async (args: string[], extra: Record<string, string> = {}) => {
    const out = await runCli(args, { ...env, ...extra });
    cliOutput.push(out.stdout, out.stderr);
    return out;
  };
  const setup = (overrides: Partial<RunPassSetup> = {}): RunPassSetup => ({
    db: tdb.db,
    logger: logs.logger,
    redisUrl: redis.url,
    prefix: redis.prefix,
    concurrency: CONCURRENCY,
    leaseMs: 3000,
    retry: FAST_RETRY,
    processBatch: fakeProcessBatch(tdb.db, { delayMs: 500 }),
    jobs: JOB_TABLE,
    pollMs: 50,
    progressLogMs: 0,
    run: testRun(),
    ...overrides,
  });
  const resetMappings = async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
  };
  const doneBatches = async (runId: string) => (await batchProgress(tdb.db, runId)).batches.done;
  const activeRunId = async () =>
    waitFor("the run to exist", async () => {
      const row = await tdb.db
        .selectFrom("backfill.run")
        .select("id")
        .where("status", "=", "running")
        .executeTakeFirst();
      return row ? String(row.id) : undefined;
    });
  /** Workers alone (no `run` pass), with the ledger resync of the `worker` command. */
  const workUntilDone = async (runId: string) => {
    const queues = openQueues({ redisUrl: redis.url, prefix: redis.prefix, logger: logs.logger });
    const runtime = startWorkerRuntime({
      db: tdb.db,
      logger: logs.logger,
      redisUrl: redis.url,
      prefix: redis.prefix,
      concurrency: CONCURRENCY,
      leaseMs: 3000,
      processBatch: fakeProcessBatch(tdb.db),
      jobs: JOB_TABLE,
      resync: {
        intervalMs: 200,
        enqueue: (id, ids) => queues.enqueueBatches(id, ids, FAST_RETRY),
      },
    });
    try {
      return await waitFor(
        "the run to complete",
        async () => {
          const run = await getRun(tdb.db, runId);
          return run?.status === "completed" ? run : undefined;
        },
        30_000,
      );
    } finally {
      await runtime.stop(5000, "test done");
      await queues.close();
    }
  };

  test("pause mid-run: in-flight batches finish, no new one starts, `run` exits not ok saying so", async () => {
    const pass = runPass(setup());
    const runId = await activeRunId();
    await waitFor("a batch done", async () => (await doneBatches(runId)) >= 1);
    const paused = await cli(["pause", runId, "--reason", "maintenance window"]);
    assert.equal(paused.status, 0, paused.stderr);
    assert.match(paused.stdout, new RegExp(`run ${runId}: running -> paused`));
    const atPause = await batchProgress(tdb.db, runId);
    const out = await pass;
    assert.equal(out.interrupted, false);
    assert.equal(out.run.status, "paused");
    const verdict = passVerdict(out.run, out.progress, out.remaining, out.interrupted);
    assert.equal(verdict.ok, false);
    assert.match(verdict.reason ?? "", new RegExp(`run ${runId} is paused: \`backfill resume ${runId}\``));
    // Within one batch: only the batches held at the pause may have finished after it.
    assert.ok(out.progress.batches.done - atPause.batches.done <= atPause.batches.running);
    assert.equal(out.progress.batches.running, 0, "the in-flight batches finished");
    assert.ok(out.progress.batches.pending > 0, "the pause stopped the run mid-way");
    // A delivery of a paused run's batch does not claim it.
    const pending = await tdb.db
      .selectFrom("backfill.batch")
      .select("id")
      .where("run_id", "=", runId)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    const delivery = await handleBackfillBatch(
      { runId, batchId: String(pending.id) },
      {
        db: tdb.db,
        logger: logs.logger,
        processBatch: fakeProcessBatch(tdb.db),
        leases: new LeaseRegistry(),
        leaseMs: 3000,
        attempt: 1,
        maxAttempts: 3,
        actor: "test",
      },
    );
    assert.deepEqual(delivery, { kind: "run-inactive", status: "paused" });
    assert.equal((await batchProgress(tdb.db, runId)).batches.done, out.progress.batches.done);
    // A second `run` of the target leaves the paused run alone and says so.
    const again = await runPass(setup());
    assert.equal(String(again.run.id), runId);
    assert.equal(again.run.status, "paused");
    assert.equal((await batchProgress(tdb.db, runId)).batches.done, out.progress.batches.done);

    // Illegal moves: exit 2 with a clear message, nothing recorded.
    const twice = await cli(["pause", runId]);
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, new RegExp(`cannot pause run ${runId}: it is paused`));

    // Resume: running again, every batch not done back on the queue; workers alone finish it.
    const resumed = await cli(["resume", runId]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /paused -> running; \d+ batch\(es\) enqueued/);
    const running = await cli(["resume", runId]);
    assert.equal(running.status, 2);
    assert.match(
      running.stderr,
      new RegExp(`cannot resume run ${runId}: it is running; only a paused run can be resumed`),
    );
    const done = await workUntilDone(runId);
    assert.equal(done.status, "completed");
    assert.deepEqual((await mappingSnapshot(tdb.db)).counts, {
      tags: candidates,
      maps: candidates,
      orphans: 0,
      unmapped: 0,
    });
    const events = await listRunEvents(tdb.db, runId);
    assert.deepEqual(
      events.map((e) => [e.from_status, e.to_status]),
      [
        [null, "running"],
        ["running", "paused"],
        ["paused", "running"],
        ["running", "completed"],
      ],
    );
    const pauseEvent = events[1];
    assert.match(pauseEvent?.actor ?? "", /^[^@\s]+@[^@\s]+$/, "the operator as user@host");
    assert.deepEqual(pauseEvent?.detail, { command: "pause", reason: "maintenance window" });
    const cancelDone = await cli(["cancel", runId]);
    assert.equal(cancelDone.status, 2);
    assert.match(cancelDone.stderr, new RegExp(`cannot cancel run ${runId}: it is completed`));
  });

  test("resume while Redis is down flips the state; a worker's ledger resync enqueues the batches later", async () => {
    await resetMappings();
    const pass = runPass(setup());
    const runId = await activeRunId();
    await waitFor("a batch done", async () => (await doneBatches(runId)) >= 1);
    assert.equal((await cli(["pause", runId])).status, 0);
    assert.equal((await pass).run.status, "paused");
    // Redis loses what the pass had queued (as a restarted, empty Redis would).
    let cursor = "0";
    do {
      const [next, keys] = await redis.redis.scan(cursor, "MATCH", `${redis.prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.redis.del(...keys);
    } while (cursor !== "0");
    const down = `redis://127.0.0.1:${await freePort()}`;
    const resumed = await cli(["resume", runId], { REDIS_URL: down });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /paused -> running; \d+ batch\(es\) NOT enqueued, Redis is unavailable/);
    assert.equal((await getRun(tdb.db, runId))?.status, "running");
    const line = jsonLines(resumed.stderr).find((l) => l.event === "run.resumed");
    assert.equal(line?.enqueued, false);
    // Nothing is on the queue for it: only the workers' ledger resync can bring the batches back.
    const queues = openQueues({ redisUrl: redis.url, prefix: redis.prefix, logger: logs.logger });
    const counts = await queues.counts();
    await queues.close();
    assert.equal(counts["backfill-batches"]?.waiting ?? 0, 0);
    assert.equal(counts["backfill-batches"]?.delayed ?? 0, 0);
    assert.equal((await workUntilDone(runId)).status, "completed");
    assert.equal((await mappingSnapshot(tdb.db)).counts?.unmapped, 0);
  });

  test("cancel mid-run frees the target: `run` reports it, and a new run maps the rest", async () => {
    await resetMappings();
    const pass = runPass(setup());
    const runId = await activeRunId();
    await waitFor("a batch done", async () => (await doneBatches(runId)) >= 1);
    const cancelled = await cli(["cancel", runId, "--reason", "wrong scope"]);
    assert.equal(cancelled.status, 0, cancelled.stderr);
    const out = await pass;
    assert.equal(out.run.status, "cancelled");
    assert.match(
      passVerdict(out.run, out.progress, out.remaining, out.interrupted).reason ?? "",
      /was cancelled/,
    );
    assert.ok(out.remaining > 0);
    assert.equal((await cli(["resume", runId])).status, 2, "a cancelled run stays cancelled");
    const next = await runPass(setup({ processBatch: fakeProcessBatch(tdb.db) }));
    assert.notEqual(String(next.run.id), runId);
    assert.equal(next.resumed, false);
    assert.equal(next.run.status, "completed");
    assert.deepEqual((await mappingSnapshot(tdb.db)).counts, {
      tags: candidates,
      maps: candidates,
      orphans: 0,
      unmapped: 0,
    });
    // status --run shows the state and the history with who did it.
    const status = await cli(["status", "--run", runId, "--json"]);
    assert.equal(status.status, 0, status.stderr);
    const detail = JSON.parse(status.stdout) as { status: string; events: Record<string, unknown>[] };
    assert.equal(detail.status, "cancelled");
    assert.deepEqual(
      detail.events.map((e) => e.to),
      ["running", "cancelled"],
    );
    assert.deepEqual(detail.events[1]?.detail, { command: "cancel", reason: "wrong scope" });
    const text = await cli(["status", "--run", runId]);
    assert.match(text.stdout, /running -> cancelled {2}by \S+@\S+ {2}\(.*reason: wrong scope.*\)$/m);
    assert.doesNotMatch(text.stdout, /[{}]/, "no raw JSON in the human view");
  });

  test("an unknown or malformed run id is a usage error", async () => {
    const unknown = await cli(["pause", "999999"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no run with id '999999'/);
    const malformed = await cli(["cancel", "abc"]);
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /RUN expects a run id/);
    assert.equal((await cli(["resume"])).status, 2);
  });

  test("every line logged (in process and by the commands) matches the vocabulary", () => {
    const lines = [...logs.lines(), ...cliOutput.flatMap(jsonLines)];
    assert.deepEqual(invalidLogLines(lines).slice(0, 5), []);
    const events = lines.map((l) => l.event);
    for (const e of ["run.paused", "run.resumed", "run.cancelled", "batch.skipped"]) {
      assert.ok(events.includes(e), `no ${e} line`);
    }
    const paused = lines.find((l) => l.event === "run.paused");
    assert.equal(paused?.reason, "maintenance window");
    assert.match(String(paused?.actor), /@/);
  });
});
