import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import { batchProgress } from "../../src/db/batch-progress.js";
import { getRun } from "../../src/db/run-get.js";
import { PROBE_QUERIES, timeProbeQueries, type ResponseProbe } from "../../src/db/probe-response-time.js";
import { COMMIT_PROBES, timeDurableCommits } from "../../src/db/probe-commit-time.js";
import { connect } from "../../src/db/connect.js";
import { probeLatencyMs } from "../../src/run/probe-latency.js";
import type { Database } from "../../src/db/tables.js";
import { runPass } from "../../src/run/run-pass.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { collectingLogger, insertLegacyTags, invalidLogLines } from "./run-support.js";
import { activeRunId, claims, resetMappings, testPassSetup, throttledWith } from "./run-pass-support.js";
import { quietThrottle } from "../support/quiet-throttle.js";

/** Only the response-time signal is on. */
const PROBE_ONLY = quietThrottle({ maxProbeLatencyMs: 50 });

/**
 * A test-only probe the server really answers slowly: each query sleeps server-side for `delay.s`
 * (0: an ordinary round trip), timed as the built-in probe times its lookups.
 */
function sleepingProbe(delay: { s: number }): ResponseProbe {
  return async (db: Kysely<Database>) => {
    const samples: number[] = [];
    for (let i = 0; i < PROBE_QUERIES; i++) {
      const start = performance.now();
      await sql`SELECT pg_sleep(${delay.s})`.execute(db);
      samples.push(performance.now() - start);
    }
    return samples;
  };
}

describe("throttling on the database's response time", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("probe_throttle");
    redis = await createTestRedis("probe-throttle");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 6 });
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  test("the built-in probe times its index lookups on Quay's tag table", async () => {
    const samples = await timeProbeQueries(tdb.db);
    assert.equal(samples.length, PROBE_QUERIES);
    for (const ms of samples) assert.ok(Number.isFinite(ms) && ms > 0, `sample ${ms}`);
  });

  test("a slow server holds the run back with the response time as its reason; fast again, it finishes", async () => {
    const delay = { s: 0.12 };
    const checker = new ThrottleChecker(tdb.db, PROBE_ONLY, Date.now, sleepingProbe(delay));
    const pass = runPass(testPassSetup({ db: tdb.db, logger: logs.logger, redis }, { throttle: checker }));
    const runId = await activeRunId(tdb.db);
    const held = await throttledWith(tdb.db, runId, /^database response \d+ ms > 50 ms$/);
    const slowMs = Number(/(\d+) ms >/.exec(held.throttle_reason ?? "")?.[1]);
    assert.ok(slowMs >= 120, `the reason gives the measured median: ${held.throttle_reason}`);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(await claims(tdb.db, runId), 0, "no batch claimed while the server is slow");
    delay.s = 0;
    const out = await pass;
    assert.equal(out.run.status, "completed");
    assert.equal((await batchProgress(tdb.db, runId)).batches.pending, 0);
    const run = await getRun(tdb.db, runId);
    assert.equal(run?.throttle_reason, null);
    assert.ok(Number(run?.throttled_ms) >= 800, `throttled_ms ${String(run?.throttled_ms)}`);
    const ended = logs.lines().filter((l) => l.event === "throttle.ended" && l.runId === runId);
    // At least once: on a loaded machine even the fast probe may cross 50 ms again for a reading.
    assert.ok(ended.length >= 1, "throttle.ended logged");
    for (const e of ended) assert.match(String(e.reason), /database response/);
    assert.deepEqual(invalidLogLines(logs.lines()), []);
  });

  test("signal off: the probe is never run, however slow it would be", async () => {
    let calls = 0;
    const probe: ResponseProbe = () => {
      calls++;
      return Promise.resolve([5000, 5000, 5000]);
    };
    const off = new ThrottleChecker(tdb.db, { ...PROBE_ONLY, maxProbeLatencyMs: undefined }, Date.now, probe);
    assert.equal((await off.verdict("1")).tier, "clear");
    assert.equal(calls, 0);
    const on = new ThrottleChecker(tdb.db, PROBE_ONLY, Date.now, probe);
    assert.equal((await on.verdict("1")).reason, "database response 5000 ms > 50 ms");
    assert.equal(calls, 1);
  });

  test("each reading is logged with what every signal read: the probe's median among them", async () => {
    const read = collectingLogger("info");
    const probe: ResponseProbe = () => Promise.resolve([7, 90, 80]);
    const checker = new ThrottleChecker(tdb.db, PROBE_ONLY, Date.now, probe, read.logger);
    assert.equal((await checker.verdict("1")).tier, "throttle");
    const lines = read.lines().filter((l) => l.event === "throttle.read");
    assert.equal(lines.length, 1, "one reading, one line");
    const line = lines[0] ?? {};
    assert.equal(line.tier, "throttle");
    assert.equal(line.reason, "database response 80 ms > 50 ms");
    const signals = line.signals as Record<string, unknown>;
    assert.equal(signals.response_time, 80);
    assert.equal(typeof signals.transaction_age, "number", "the health signals read beside it, lines or not");
    assert.equal("wal_rate" in signals, false, "a signal not read (WAL counters off) is not listed");
    assert.deepEqual(invalidLogLines(read.lines()), []);
  });

  test("a probe that fails holds the backfill back with the error, not the worker down", async () => {
    const failing: ResponseProbe = (db) => sql`SELECT 1 FROM no_such_table`.execute(db).then(() => [1, 1, 1]);
    const verdict = await new ThrottleChecker(tdb.db, PROBE_ONLY, Date.now, failing).verdict("1");
    assert.equal(verdict.tier, "throttle");
    assert.match(verdict.reason, /^response probe failed: .*no_such_table/);
  });

  test("the commit probe times durable commits: a server that delays WAL flushes shows in it, a SELECT does not", async () => {
    // commit_delay naps before each WAL flush (commit_siblings 0: whatever else runs); new sessions only.
    await sql.raw(`ALTER DATABASE ${tdb.name} SET commit_delay = 100000`).execute(tdb.db);
    await sql.raw(`ALTER DATABASE ${tdb.name} SET commit_siblings = 0`).execute(tdb.db);
    const fresh = connect(tdb.url, { max: 1 });
    try {
      const commits = await timeDurableCommits(fresh);
      assert.equal(commits.length, COMMIT_PROBES);
      for (const ms of commits) assert.ok(ms >= 95, `a durable commit waits for the delayed flush: ${ms} ms`);
      const lookups = await timeProbeQueries(fresh);
      assert.ok(probeLatencyMs(lookups) < 95, `a lookup commits nothing: ${lookups.join(", ")} ms`);
    } finally {
      await fresh.destroy();
      await sql.raw(`ALTER DATABASE ${tdb.name} RESET commit_delay`).execute(tdb.db);
      await sql.raw(`ALTER DATABASE ${tdb.name} RESET commit_siblings`).execute(tdb.db);
    }
  });

  test("slow commits hold the run back with the commit latency as the reason; fast again, it finishes", async () => {
    await resetMappings(tdb.db);
    const delay = { s: 0.12 };
    const settings = quietThrottle({ maxCommitLatencyMs: 50 });
    const checker = new ThrottleChecker(
      tdb.db,
      settings,
      Date.now,
      timeProbeQueries,
      undefined,
      sleepingProbe(delay),
    );
    const pass = runPass(testPassSetup({ db: tdb.db, logger: logs.logger, redis }, { throttle: checker }));
    const runId = await activeRunId(tdb.db);
    await throttledWith(tdb.db, runId, /^commit latency \d+ ms > 50 ms$/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await claims(tdb.db, runId), 0, "no batch claimed while commits are slow");
    delay.s = 0;
    assert.equal((await pass).run.status, "completed");
    const ended = logs.lines().filter((l) => l.event === "throttle.ended" && l.runId === runId);
    assert.ok(ended.length >= 1, "throttle.ended logged");
    assert.match(String(ended[0]?.reason), /commit latency/);
  });
});
