import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Kysely } from "kysely";
import { batchProgress } from "../../src/db/batch-progress.js";
import { connect } from "../../src/db/connect.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { getRun } from "../../src/db/run-get.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import type { Database } from "../../src/db/tables.js";
import { openQueues } from "../../src/queue/backfill-queues.js";
import { DEFAULT_RETRY_POLICY } from "../../src/queue/retry-policy.js";
import { controlRun, type ControlResult } from "../../src/run/control-run.js";
import { runPass, type RunPassSetup } from "../../src/run/run-pass.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import { ReplicaCluster } from "../support/replica-cluster.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import {
  collectingLogger,
  fakeProcessBatch,
  insertLegacyTags,
  invalidLogLines,
  waitFor,
} from "./run-support.js";
import { activeRunId, resetMappings, testPassSetup, throttledWith } from "./run-pass-support.js";
import { quietThrottle } from "../support/quiet-throttle.js";

/** Only the replica-lag signal is on; the thresholds are the test's. */
const LAG_ONLY = quietThrottle({ maxReplicaLagS: 0.3 });

/**
 * A backfill against a private primary with a real streaming replica whose replay the test pauses
 * (`pg_wal_replay_pause()`): the run's own writes, and the test's, pile up unreplayed WAL, the primary's
 * pg_stat_replication shows the lag, and the throttle must hold the run back until replay resumes.
 */
describe("replica replay lag, with a real streaming replica", () => {
  let cluster: ReplicaCluster;
  let db: Kysely<Database>;
  let redis: TestRedis;
  let candidates = 0;
  const logs = collectingLogger();

  before(async () => {
    cluster = await ReplicaCluster.start("replica-lag");
    await cluster.query(cluster.primary, "CREATE DATABASE backfill");
    db = connect(cluster.url("backfill"), { max: 5 });
    const { error } = await migrateToLatest(db);
    if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
    ({ candidates } = await insertLegacyTags(db, {
      namespaces: ["acme"],
      reposPerNamespace: 4,
      tagsPerRepo: 20,
    }));
    redis = await createTestRedis("replica-lag");
  });
  after(async () => {
    await redis?.cleanup();
    await db?.destroy();
    await cluster?.stop();
  });

  /** Two tags a batch, 100 ms each: forty batches, a few seconds of work, long enough to be caught mid-way. */
  const setup = (throttle: ThrottleChecker, more: Partial<RunPassSetup> = {}): RunPassSetup =>
    testPassSetup(
      { db, logger: logs.logger, redis },
      {
        throttle,
        processBatch: fakeProcessBatch(db, { delayMs: 100 }),
        ...more,
      },
    );
  const doneTags = async (runId: string) => (await batchProgress(db, runId)).tags.done;
  const events = (name: string, runId: string) =>
    logs.lines().filter((l) => l.event === name && l.runId === runId);

  /** Stops replay on the replica and writes some WAL on the primary, which the replica receives but holds. */
  async function pauseReplay(): Promise<void> {
    await cluster.query(cluster.replica, "SELECT pg_wal_replay_pause()");
    await cluster.query(cluster.primary, "CREATE TABLE IF NOT EXISTS wal_filler (n int)", [], "backfill");
    await cluster.query(
      cluster.primary,
      "INSERT INTO wal_filler SELECT generate_series(1, 1000)",
      [],
      "backfill",
    );
  }

  async function resumeReplay(): Promise<void> {
    await cluster.query(cluster.replica, "SELECT pg_wal_replay_resume()");
  }

  /** The replica has replayed everything the primary wrote, as the primary sees it. */
  const caughtUp = () =>
    waitFor("the replica to catch up", async () => {
      const rows = await cluster.query<{ behind: string | null }>(
        cluster.primary,
        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS behind FROM pg_stat_replication",
      );
      return rows.length === 1 && Number(rows[0]?.behind) === 0;
    });

  async function operatorResume(runId: string): Promise<ControlResult> {
    const queues = openQueues({ redisUrl: redis.url, prefix: redis.prefix, logger: logs.logger });
    try {
      return await controlRun(
        { runId, action: "resume", actor: "operator@test" },
        {
          db,
          logger: logs.logger,
          enqueue: (id, batchIds) => queues.enqueueBatches(id, batchIds, DEFAULT_RETRY_POLICY),
        },
      );
    } finally {
      await queues.close();
    }
  }

  /** A test that failed half-way: its pass is stopped and replay resumed, so the next test starts clean. */
  async function settle(stop: AbortController, pass: Promise<unknown>): Promise<void> {
    stop.abort();
    await pass.catch(() => undefined);
    await resumeReplay();
  }

  /** The done-tag count does not move over `polls` throttle polls; returns it. */
  async function heldStill(runId: string, polls: number): Promise<number> {
    const first = await doneTags(runId);
    for (let i = 0; i < polls; i++) {
      await new Promise((r) => setTimeout(r, LAG_ONLY.pollMs));
      assert.equal(await doneTags(runId), first, `no tag done while replay is paused (poll ${i + 1})`);
    }
    return first;
  }

  test("paused replay throttles the run mid-way with reason replay lag; resumed replay lets it finish", async () => {
    const stop = new AbortController();
    const pass = runPass(setup(new ThrottleChecker(db, LAG_ONLY), { signal: stop.signal }));
    try {
      const runId = await activeRunId(db);
      await waitFor("a tag done", async () => (await doneTags(runId)) > 0);
      await pauseReplay();
      await throttledWith(db, runId, /^replay lag \d+(\.\d)? s > 0\.3 s$/);
      // The batches in flight when the throttle started may still finish; none is claimed after them.
      await waitFor("no batch in flight", async () => (await batchProgress(db, runId)).batches.running === 0);
      const held = await heldStill(runId, 6);
      assert.ok(held < candidates, `the throttle held the run back mid-way (${held} of ${candidates} done)`);
      // The lag read while replay stays stopped keeps growing with the clock (not only at the standby's
      // status reports, every 10 s by default), and the run stays throttled meanwhile.
      const lagNow = async () =>
        Number(/^replay lag ([\d.]+) s/.exec((await getRun(db, runId))?.throttle_reason ?? "")?.[1]);
      const seen = await lagNow();
      await waitFor("the replay lag to grow by a second", async () => (await lagNow()) >= seen + 1, 5000);
      await resumeReplay();
      const out = await pass;
      assert.equal(out.run.status, "completed");
      assert.equal(out.progress.tags.done, candidates);
      const [start] = events("throttle.started", runId);
      assert.match(String(start?.reason), /^replay lag \d+(\.\d)? s > 0\.3 s$/);
      const [ended] = events("throttle.ended", runId);
      assert.match(String(ended?.reason), /replay lag/);
      assert.ok(Number(ended?.durationMs) >= 6 * LAG_ONLY.pollMs, `durationMs ${String(ended?.durationMs)}`);
      const run = await getRun(db, runId);
      assert.equal(run?.throttle_reason, null);
    } finally {
      await settle(stop, pass);
    }
  });

  test("past the critical line the run is paused with the reason; an operator resumes it once lag is gone", async () => {
    await resetMappings(db);
    const stop = new AbortController();
    const checker = new ThrottleChecker(db, { ...LAG_ONLY, criticalReplicaLagS: 1 });
    const pass = runPass(setup(checker, { waitWhilePaused: true, signal: stop.signal }));
    try {
      const runId = await activeRunId(db);
      await waitFor("a tag done", async () => (await doneTags(runId)) > 0);
      await pauseReplay();
      await waitFor("the run paused", async () => (await getRun(db, runId))?.status === "paused");
      const pause = (await listRunEvents(db, runId)).find((e) => e.to_status === "paused");
      assert.match(JSON.stringify(pause?.detail), /critical: replay lag \d+(\.\d)? s > 1 s/);
      assert.match(String(pause?.actor), /^worker:/);
      await waitFor("no batch in flight", async () => (await batchProgress(db, runId)).batches.running === 0);
      const held = await heldStill(runId, 4);
      assert.ok(held < candidates, `the pause stopped the run mid-way (${held} of ${candidates} done)`);

      // Lag gone: the run stays paused (a critical pause waits for an operator), and nothing moves.
      await resumeReplay();
      await caughtUp();
      // The signal reads 0 at once, though PostgreSQL's replay_lag may still show its last figure.
      await waitFor("the throttle clear", async () => (await checker.verdict(runId)).tier === "clear", 1000);
      await heldStill(runId, 4);
      assert.equal((await getRun(db, runId))?.status, "paused");

      // The operator's resume (`backfill resume`'s path, in process: the CLI's start-up alone takes
      // seconds on a loaded machine): every batch not done goes back on the queue.
      const resumed = await operatorResume(runId);
      assert.equal(resumed.kind, "changed");
      assert.equal(resumed.kind === "changed" && resumed.from, "paused");
      const out = await pass;
      assert.equal(out.run.status, "completed");
      assert.equal(out.progress.tags.done, candidates);
    } finally {
      await settle(stop, pass);
    }
  });

  test("every line logged is valid against docs/log-events.schema.json", () => {
    assert.deepEqual(invalidLogLines(logs.lines()), []);
  });
});
