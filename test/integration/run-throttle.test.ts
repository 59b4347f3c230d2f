import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { batchProgress } from "../../src/db/batch-progress.js";
import { getRun } from "../../src/db/run-get.js";
import { startRunThrottle } from "../../src/db/run-throttle-state.js";
import { finishRunIfDone } from "../../src/run/finish-run.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { loadRunClock } from "../../src/db/load-run-clock.js";
import { runPass, type RunPassSetup } from "../../src/run/run-pass.js";
import { runningMs } from "../../src/run/run-rate.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import type { ThrottleSettings } from "../../src/run/throttle-settings.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import {
  collectingLogger,
  insertLegacyTags,
  invalidLogLines,
  jsonLines,
  runCli,
  waitFor,
} from "./run-support.js";
import {
  activeRunId as activeRun,
  claims as claimCount,
  createAllTagsRun,
  resetMappings as resetDb,
  testPassSetup,
  throttledWith as throttled,
} from "./run-pass-support.js";
import { quietThrottle } from "../support/quiet-throttle.js";

/** Every server-wide signal off: only the one a test turns on can throttle. */
const QUIET = quietThrottle();

describe("throttling", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let env: Record<string, string>;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("run_throttle");
    redis = await createTestRedis("run-throttle");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 6 });
    env = { DATABASE_URL: tdb.url, REDIS_URL: redis.url, BACKFILL_QUEUE_PREFIX: redis.prefix };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  const setup = (settings: Partial<ThrottleSettings>): RunPassSetup =>
    testPassSetup(
      { db: tdb.db, logger: logs.logger, redis },
      { throttle: new ThrottleChecker(tdb.db, { ...QUIET, ...settings }) },
    );
  const resetMappings = () => resetDb(tdb.db);
  const activeRunId = () => activeRun(tdb.db);
  const throttledWith = (runId: string, pattern: RegExp) => throttled(tdb.db, runId, pattern);
  /** Nothing of the run was claimed: no batch ever attempted. */
  const claims = (runId: string) => claimCount(tdb.db, runId);
  const events = (name: string, runId: string) =>
    logs.lines().filter((l) => l.event === name && l.runId === runId);

  test("throttle --all on: a running run claims nothing and status says why; off: it finishes", async () => {
    const on = await runCli(["throttle", "--all", "on", "--reason", "maintenance window"], env);
    assert.equal(on.status, 0, on.stderr);
    assert.match(on.stdout, /all runs: throttle on/);
    const pass = runPass(setup({}));
    const runId = await activeRunId();
    await throttledWith(runId, /manual throttle \(all runs\): maintenance window/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await claims(runId), 0, "no batch claimed while throttled");
    const status = await runCli(["status"], env);
    assert.equal(status.status, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(
        `run ${runId} throttled: manual throttle \\(all runs\\): maintenance window, since \\d\\d:\\d\\d, \\d+s total`,
      ),
    );
    const off = await runCli(["throttle", "--all", "off"], env);
    assert.equal(off.status, 0, off.stderr);
    const out = await pass;
    assert.equal(out.run.status, "completed");
    assert.equal((await batchProgress(tdb.db, runId)).batches.pending, 0);
    assert.equal(events("throttle.started", runId).length, 1);
    const [ended] = events("throttle.ended", runId);
    assert.ok(ended, "throttle.ended logged");
    assert.match(String(ended.reason), /maintenance window/);
    assert.ok(Number(ended.durationMs) >= 1000, `durationMs ${String(ended.durationMs)}`);
    const run = await getRun(tdb.db, runId);
    assert.equal(run?.throttle_reason, null);
    assert.ok(Number(run?.throttled_ms) >= 1000);
    // The rate `run` reports (its summary, the bar, run.progress) leaves the throttled time out, as status does.
    const running = runningMs(await loadRunClock(tdb.db, runId), Date.now());
    assert.equal(out.estimate.runningMs, Math.max(0, running - Number(run?.throttled_ms)));
    const switched = [...jsonLines(on.stderr), ...jsonLines(off.stderr)].filter(
      (l) => l.event === "throttle.switched",
    );
    assert.equal(switched.length, 2);
    assert.deepEqual(invalidLogLines([...logs.lines(), ...switched]), []);
  });

  test("a run paused while throttled: the stretch ends at the pause, logged; paused time is not throttled time, nor shown as such", async () => {
    await resetMappings();
    const on = await runCli(["throttle", "--all", "on", "--reason", "paused-while-throttled"], env);
    assert.equal(on.status, 0, on.stderr);
    let runId = "";
    try {
      const pass = runPass(setup({}));
      runId = await activeRunId();
      await throttledWith(runId, /paused-while-throttled/);
      await new Promise((r) => setTimeout(r, 500));
      const pause = await runCli(["pause", runId], env);
      assert.equal(pause.status, 0, pause.stderr);
      assert.equal((await pass).run.status, "paused");
      const atPause = await getRun(tdb.db, runId);
      assert.deepEqual([atPause?.throttle_reason, atPause?.throttled_since], [null, null]);
      const throttledMs = Number(atPause?.throttled_ms);
      assert.ok(throttledMs >= 500, `throttled_ms ${throttledMs}`);
      const [ended] = jsonLines(pause.stderr).filter((l) => l.event === "throttle.ended");
      assert.ok(ended, pause.stderr);
      assert.match(String(ended.reason), /paused-while-throttled/);
      assert.equal(ended.totalMs, throttledMs);
      assert.deepEqual(invalidLogLines([ended]), []);
      // Paused: nothing is added to the throttled time, and status does not call the run throttled.
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(Number((await getRun(tdb.db, runId))?.throttled_ms), throttledMs);
      const status = await runCli(["status"], env);
      assert.equal(status.status, 0, status.stderr);
      assert.doesNotMatch(status.stdout, new RegExp(`run ${runId} throttled`));
    } finally {
      // The next tests start runs of their own.
      if (runId !== "") assert.equal((await runCli(["cancel", runId], env)).status, 0);
      await runCli(["throttle", "--all", "off"], env);
    }
  });

  test("a run whose last batch settles while it is throttled ends the stretch and logs throttle.ended", async () => {
    const runId = await createAllTagsRun(tdb.db, { batchSize: 50 });
    // Its batches done by deliveries that passed the gate before the throttle began.
    await sql`UPDATE backfill.batch SET status = 'done' WHERE run_id = ${runId}::bigint`.execute(tdb.db);
    assert.equal(await startRunThrottle(tdb.db, runId, "manual: last-batch"), true);
    await new Promise((r) => setTimeout(r, 300));
    const finished = await finishRunIfDone(tdb.db, runId, "test", logs.logger);
    assert.equal(finished?.status, "completed");
    assert.deepEqual([finished?.throttled_since, finished?.throttle_reason], [null, null]);
    const [ended, ...more] = events("throttle.ended", runId);
    assert.ok(ended, "throttle.ended logged");
    assert.equal(more.length, 0);
    assert.equal(ended.reason, "manual: last-batch");
    assert.ok(Number(ended.durationMs) >= 300, `durationMs ${String(ended.durationMs)}`);
    assert.equal(ended.totalMs, Number(finished?.throttled_ms));
    assert.deepEqual(invalidLogLines([ended]), []);
  });

  test("throttle RUN on refuses an unknown run; a bad state is a usage error", async () => {
    const unknown = await runCli(["throttle", "999999", "on"], env);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no run with id '999999'/);
    const bad = await runCli(["throttle", "--all", "maybe"], env);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /expected on or off/);
  });

  test("the throttle query: its flag throttles, and flipping it releases the run", async () => {
    await resetMappings();
    await sql`CREATE TABLE ops_flag (throttled boolean NOT NULL)`.execute(tdb.db);
    await sql`INSERT INTO ops_flag VALUES (true)`.execute(tdb.db);
    const pass = runPass(setup({ query: "SELECT throttled FROM ops_flag" }));
    const runId = await activeRunId();
    await throttledWith(runId, /throttle query/);
    assert.equal(await claims(runId), 0);
    await sql`UPDATE ops_flag SET throttled = false`.execute(tdb.db);
    const out = await pass;
    assert.equal(out.run.status, "completed");
    assert.equal(events("throttle.ended", runId).length, 1);
  });

  test("the throttle URL: 503 throttles, 200 releases; no answer throttles after the timeout, logged", async () => {
    let mode: "503" | "200" | "hang" = "503";
    const server = http.createServer((_req, res) => {
      if (mode === "hang") return; // never answers
      res.writeHead(mode === "503" ? 503 : 200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/throttle`;
    try {
      await resetMappings();
      const pass = runPass(setup({ url }));
      const runId = await activeRunId();
      await throttledWith(runId, /throttle URL: HTTP 503/);
      assert.equal(await claims(runId), 0);
      mode = "200";
      assert.equal((await pass).run.status, "completed");

      await resetMappings();
      mode = "hang";
      const second = runPass(setup({ url }));
      const hungId = await activeRunId();
      await throttledWith(hungId, /throttle URL: no answer within 0\.3 s/);
      const [started] = events("throttle.started", hungId);
      assert.match(String(started?.reason), /no answer within 0\.3 s/);
      mode = "200";
      assert.equal((await second).run.status, "completed");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("the oldest transaction: a session holding one open past the threshold throttles; commit releases", async () => {
    await resetMappings();
    const holder = new pg.Client({ connectionString: tdb.url, application_name: "someone-else" });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT txid_current()");
      await new Promise((r) => setTimeout(r, 1200));
      const pass = runPass(setup({ maxTransactionAgeS: 1 }));
      const runId = await activeRunId();
      await throttledWith(runId, /oldest transaction \d+(\.\d)? s > 1 s/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await claims(runId), 0);
      await holder.query("COMMIT");
      assert.equal((await pass).run.status, "completed");
      assert.equal(events("throttle.ended", runId).length, 1);
    } finally {
      await holder.end();
    }
  });

  test("a vacuum on a table the backfill writes throttles (BACKFILL_MAX_VACUUMS=0); when it ends the run finishes", async () => {
    await resetMappings();
    // Pages for a slow vacuum of backfill.batch: rows of a finished run of their own, removed afterwards.
    const filler = await createAllTagsRun(tdb.db, { batchSize: 50 });
    await sql`UPDATE backfill.run SET status = 'cancelled' WHERE id = ${filler}::bigint`.execute(tdb.db);
    await sql`INSERT INTO backfill.batch (run_id, seq, lo, hi, status)
      SELECT ${filler}::bigint, 1000 + g, g, g, 'done' FROM generate_series(1, 20000) g`.execute(tdb.db);
    const vacuumer = new pg.Client({ connectionString: tdb.url, application_name: "someone-else" });
    await vacuumer.connect();
    try {
      // Cost-based delay at its slowest: every page costs a 100 ms nap, so the vacuum lasts well past the test.
      await vacuumer.query("SET vacuum_cost_delay = 100");
      await vacuumer.query("SET vacuum_cost_limit = 1");
      const vacuum = vacuumer.query("VACUUM (DISABLE_PAGE_SKIPPING) backfill.batch").then(
        () => "finished",
        (err: unknown) => String(err),
      );
      await waitFor("the vacuum to show in pg_stat_progress_vacuum", async () => {
        const rows = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_progress_vacuum
           WHERE relid = 'backfill.batch'::regclass`.execute(tdb.db);
        return (rows.rows[0]?.n ?? 0) > 0 ? true : undefined;
      });
      const pass = runPass(setup({ maxVacuums: 0 }));
      const runId = await activeRunId();
      await throttledWith(runId, /^vacuums on written tables 1 > 0$/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await claims(runId), 0, "nothing claimed while the vacuum runs");
      await sql`SELECT pg_cancel_backend(pid) FROM pg_stat_progress_vacuum
                 WHERE relid = 'backfill.batch'::regclass`.execute(tdb.db);
      assert.match(await vacuum, /canceling statement/);
      assert.equal((await pass).run.status, "completed");
      const [ended] = events("throttle.ended", runId);
      assert.match(String(ended?.reason), /vacuums on written tables/);
    } finally {
      await vacuumer.end();
      await sql`DELETE FROM backfill.batch WHERE run_id = ${filler}::bigint`.execute(tdb.db);
    }
  });

  test("a signal past its critical threshold pauses the run, with the reason in its history", async () => {
    await resetMappings();
    const holder = new pg.Client({ connectionString: tdb.url, application_name: "someone-else" });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT txid_current()");
      await new Promise((r) => setTimeout(r, 1200));
      const out = await runPass(setup({ maxTransactionAgeS: 0.5, criticalTransactionAgeS: 1 }));
      assert.equal(out.run.status, "paused");
      const runId = String(out.run.id);
      assert.equal(await claims(runId), 0);
      const history = await listRunEvents(tdb.db, runId);
      const pause = history.find((e) => e.to_status === "paused");
      assert.match(JSON.stringify(pause?.detail), /critical: oldest transaction \d+(\.\d)? s > 1 s/);
      assert.match(String(pause?.actor), /^worker:/);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
  });

  test("every line logged is valid against docs/log-events.schema.json", () => {
    assert.deepEqual(invalidLogLines(logs.lines()), []);
  });
});
