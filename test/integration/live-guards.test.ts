import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { handleBackfillBatch } from "../../jobs/backfill-batch.js";
import { connect, type SessionGuards } from "../../src/db/connect.js";
import type { Database } from "../../src/db/tables.js";
import { createBatchStore } from "../../src/db/batch-store.js";
import { JOB_TABLE } from "../../jobs/job-table.js";
import { LeaseRegistry } from "../../src/run/lease-registry.js";
import { runPass } from "../../src/run/run-pass.js";
import { createTestRedis } from "../support/test-redis.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import {
  collectingLogger,
  fakeProcessBatch,
  insertLegacyTags,
  invalidLogLines,
  mappingSnapshot,
  waitFor,
} from "./run-support.js";
import { createRunAndBatch } from "./batch-harness.js";
import { testRun } from "./run-pass-support.js";
import { runWorkload } from "../../bench/io/app-workload.js";
import { DEFAULT_MIX } from "../../bench/lib/workload-plan.js";

const LOCK_TIMEOUT_MS = 300;
const APP_NAME = "backfill-worker:test-host:1";

describe("session guards on a live database: the backfill loses lock fights, never queues the application", () => {
  let tdb: TestDatabase;
  let candidates = 0;
  const opened: Kysely<Database>[] = [];
  const clients: pg.Client[] = [];

  before(async () => {
    tdb = await createTestDatabase("live_guards");
    ({ candidates } = await insertLegacyTags(tdb.db, {
      namespaces: ["acme"],
      reposPerNamespace: 1,
      tagsPerRepo: 6,
    }));
  });
  after(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    for (const db of opened) await db.destroy();
    await tdb.drop();
  });

  function guarded(guards: SessionGuards): Kysely<Database> {
    const db = connect(tdb.url, { max: 4, applicationName: APP_NAME, guards });
    opened.push(db);
    return db;
  }

  /** A session of the application's own: no guards, as Quay's are. */
  // A failed assertion must not leave a holder's lock behind for the next test.
  afterEach(async () => {
    for (const c of clients) await c.query("ROLLBACK").catch(() => undefined);
  });

  async function session(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: tdb.url, application_name: "quay-app" });
    await client.connect();
    clients.push(client);
    return client;
  }

  async function pendingBatch(): Promise<{ runId: string; batchId: string }> {
    const range = await sql<{ lo: number; hi: number }>`
      SELECT min(id)::int AS lo, max(id)::int AS hi FROM repositorytag`.execute(tdb.db);
    return createRunAndBatch(tdb.db, range.rows[0]?.lo ?? 0, range.rows[0]?.hi ?? 0, "pending");
  }

  function context(db: Kysely<Database>, logger: ReturnType<typeof collectingLogger>["logger"]) {
    return {
      db,
      logger,
      processBatch: fakeProcessBatch(db),
      leases: new LeaseRegistry(),
      leaseMs: 10_000,
      attempt: 1,
      maxAttempts: 1,
      actor: "test",
    };
  }

  /** A pass of 3-tag batches, 2 at once, with one attempt each: a contended delivery must not spend it. */
  const contendedPass = (
    db: Kysely<Database>,
    logger: ReturnType<typeof collectingLogger>["logger"],
    redis: { url: string; prefix: string },
  ) =>
    runPass({
      db,
      logger,
      redisUrl: redis.url,
      prefix: redis.prefix,
      concurrency: 2,
      leaseMs: 5000,
      retry: { attempts: 1, backoffMs: 50, jitter: 0.5 },
      processBatch: fakeProcessBatch(db),
      jobs: JOB_TABLE,
      pollMs: 50,
      resyncMs: 500,
      progressLogMs: 0,
      run: testRun({ batchSize: 3 }),
    });
  const batchRow = (batchId: string) =>
    tdb.db
      .selectFrom("backfill.batch")
      .select(["status", "attempts", "contended", "error"])
      .where("id", "=", batchId)
      .executeTakeFirstOrThrow();

  test("every connection carries the guards and names the worker", async () => {
    const db = guarded({
      statementTimeoutMs: 60_000,
      lockTimeoutMs: LOCK_TIMEOUT_MS,
      idleInTransactionTimeoutMs: 30_000,
    });
    const row = await sql<Record<string, string>>`
      SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
        current_setting('idle_in_transaction_session_timeout') AS idle,
        current_setting('application_name') AS name`.execute(db);
    assert.deepEqual(row.rows[0], { statement: "1min", lock: "300ms", idle: "30s", name: APP_NAME });
  });

  test("a batch's write transaction names its run and the worker; the session's name comes back after it", async () => {
    const db = connect(tdb.url, { max: 1, applicationName: APP_NAME, guards: {} });
    opened.push(db);
    const name = () => sql<{ name: string }>`SELECT current_setting('application_name') AS name`;
    const inside = await createBatchStore(db)
      .session("42")
      .transaction(async (_writes, trx) => {
        // As another session sees it, e.g. the operator's pg_stat_activity query in the README.
        const seen = await sql<{ name: string }>`
          SELECT application_name AS name FROM pg_stat_activity WHERE pid = pg_backend_pid()`.execute(trx);
        return [(await name().execute(trx)).rows[0]?.name, seen.rows[0]?.name];
      });
    assert.deepEqual(inside, ["backfill-worker run 42:test-host:1", "backfill-worker run 42:test-host:1"]);
    assert.equal(
      (await name().execute(db)).rows[0]?.name,
      APP_NAME,
      "the same pooled session, after the commit",
    );
  });

  test("a held table lock: the batch times out within the lock timeout, is contended (no attempt spent), the application waits no longer than that; the third time in a row it is split, and both halves complete once the lock is gone", async () => {
    const logs = collectingLogger();
    const db = guarded({
      statementTimeoutMs: 60_000,
      lockTimeoutMs: LOCK_TIMEOUT_MS,
      idleInTransactionTimeoutMs: 30_000,
    });
    const holder = await session();
    const app = await session();
    const { runId, batchId } = await pendingBatch();
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE tag IN SHARE MODE");

    // maxAttempts 1: a failure would fail the batch for good; a contended batch must not.
    const delivery = handleBackfillBatch({ runId, batchId }, context(db, logs.logger));
    // The backfill is queued for the tag table behind the holder...
    await waitFor(
      "the backfill to wait on a lock",
      async () => {
        const r = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE application_name = ${APP_NAME} AND wait_event_type = 'Lock'`.execute(tdb.db);
        return (r.rows[0]?.n ?? 0) > 0;
      },
      10_000,
    );
    // ...and the application asks for a lock that conflicts with the backfill's queued request, not with
    // the holder's: it waits at most until the backfill gives up.
    const asked = performance.now();
    await app.query("BEGIN");
    await app.query("LOCK TABLE tag IN SHARE MODE");
    const appWaitMs = performance.now() - asked;
    await app.query("COMMIT");
    assert.ok(appWaitMs < LOCK_TIMEOUT_MS + 700, `the application waited ${Math.round(appWaitMs)} ms`);

    const outcome = await delivery;
    assert.equal(outcome.kind, "contended");
    assert.ok("retryAfterMs" in outcome && outcome.retryAfterMs >= 750 && outcome.retryAfterMs <= 1250);
    const row = await batchRow(batchId);
    assert.equal(row.status, "pending");
    assert.equal(row.attempts, 0, "the claim's attempt is given back");
    assert.equal(row.contended, 1);
    assert.match(row.error ?? "", /lock timeout/);
    assert.equal((await mappingSnapshot(tdb.db)).counts?.maps, 0, "nothing written");
    const lines = logs.lines();
    const contended = lines.find((l) => l.event === "batch.contended");
    assert.ok(contended, JSON.stringify(lines));
    assert.equal(contended.sqlstate, "55P03");
    assert.equal(contended.contended, 1);
    assert.equal(contended.batchId, batchId);
    assert.equal(lines.filter((l) => l.event === "batch.failed" || l.event === "batch.retrying").length, 0);
    assert.deepEqual(invalidLogLines(lines), []);

    // A second contended delivery in a row waits longer.
    const again = await handleBackfillBatch({ runId, batchId }, context(db, logs.logger));
    assert.equal(again.kind, "contended");
    assert.ok("retryAfterMs" in again && again.retryAfterMs >= 1500);
    assert.equal((await batchRow(batchId)).contended, 2);

    // The third in a row cuts the batch in two: it keeps the lower half, a new pending batch the upper.
    const before = await tdb.db
      .selectFrom("backfill.batch")
      .select(["lo", "hi"])
      .where("id", "=", batchId)
      .executeTakeFirstOrThrow();
    const third = await handleBackfillBatch({ runId, batchId }, context(db, logs.logger));
    assert.equal(third.kind, "contended");
    const split = logs.lines().filter((l) => l.event === "batch.contended")[2];
    assert.equal(split?.contended, 0);
    assert.equal(typeof split?.splitInto, "string");
    const halves = await tdb.db
      .selectFrom("backfill.batch")
      .select(["id", "lo", "hi", "status", "contended"])
      .where("run_id", "=", runId)
      .orderBy("seq")
      .execute();
    assert.equal(halves.length, 2);
    const [lower, upper] = halves;
    assert.equal(String(lower?.id), batchId);
    assert.equal(String(upper?.id), split?.splitInto);
    assert.equal(lower?.lo, before.lo);
    assert.equal(upper?.hi, before.hi);
    assert.equal((lower?.hi ?? 0) + 1, upper?.lo, "the halves cover the range, no gap, no overlap");
    assert.deepEqual(
      halves.map((h) => [h.status, h.contended]),
      [
        ["pending", 0],
        ["pending", 0],
      ],
    );
    assert.deepEqual(invalidLogLines(logs.lines()), []);

    await holder.query("COMMIT");
    for (const half of halves) {
      const id = String(half.id);
      const done = await handleBackfillBatch({ runId, batchId: id }, context(db, logs.logger));
      assert.equal(done.kind, "done");
      assert.equal((await batchRow(id)).status, "done");
    }
    assert.equal((await mappingSnapshot(tdb.db)).counts?.maps, candidates);
    const run = await tdb.db
      .selectFrom("backfill.run")
      .select("status")
      .where("id", "=", runId)
      .executeTakeFirstOrThrow();
    assert.equal(run.status, "completed");
  });

  test("a statement past statement_timeout is contended too (57014)", async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
    const logs = collectingLogger();
    // No lock timeout here: the statement waits on the lock until the statement timeout cancels it.
    const db = guarded({ statementTimeoutMs: LOCK_TIMEOUT_MS });
    const holder = await session();
    const { runId, batchId } = await pendingBatch();
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE tag IN SHARE MODE");
    try {
      const outcome = await handleBackfillBatch({ runId, batchId }, context(db, logs.logger));
      assert.equal(outcome.kind, "contended");
      const contended = logs.lines().find((l) => l.event === "batch.contended");
      assert.equal(contended?.sqlstate, "57014");
      assert.equal((await batchRow(batchId)).status, "pending");
    } finally {
      await holder.query("COMMIT");
    }
  });

  test("through the queue: contended deliveries spend no attempt (one allowed) and the run completes once the lock is gone", async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
    const redis = await createTestRedis("live-guards");
    const logs = collectingLogger();
    const db = guarded({ statementTimeoutMs: 60_000, lockTimeoutMs: LOCK_TIMEOUT_MS });
    const holder = await session();
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE tag IN SHARE MODE");
    const release = setTimeout(() => void holder.query("COMMIT"), 2500);
    try {
      const out = await contendedPass(db, logs.logger, redis);
      assert.equal(out.run.status, "completed");
      const lines = logs.lines();
      assert.ok(
        lines.some((l) => l.event === "batch.contended"),
        "the lock was met",
      );
      assert.equal(lines.filter((l) => l.event === "batch.failed").length, 0);
      assert.deepEqual(invalidLogLines(lines), []);
      assert.equal((await mappingSnapshot(tdb.db)).counts?.maps, candidates);
    } finally {
      clearTimeout(release);
      await holder.query("COMMIT").catch(() => undefined);
      await redis.cleanup();
    }
  });

  test("a long transaction holding SHARE ROW EXCLUSIVE on tag while Quay's workload runs: no application session ever waits on a backfill session, the batches time out and are retried, the run completes once the holder ends", async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
    const redis = await createTestRedis("live-guards-workload");
    const logs = collectingLogger();
    const db = guarded({ statementTimeoutMs: 60_000, lockTimeoutMs: LOCK_TIMEOUT_MS });
    const holder = await session();
    await holder.query("BEGIN");
    // Blocks every insert into tag (the backfill's and the workload's pushes), not reads.
    await holder.query("LOCK TABLE tag IN SHARE ROW EXCLUSIVE MODE");
    const stopWorkload = new AbortController();
    const workload = runWorkload(
      {
        databaseUrl: tdb.url,
        seconds: 120,
        rate: 40,
        mix: DEFAULT_MIX,
        // Enough connections that pushes stuck behind the holder leave some for the reads.
        connections: 30,
        maxInFlight: 200,
        seed: 3,
      },
      stopWorkload.signal,
    );
    const pass = contendedPass(db, logs.logger, redis);
    try {
      // While the holder holds: who waits, and on whom.
      const seen = { backfillWaiting: false, appWaitingOnHolder: false, appOnBackfill: [] as string[] };
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        const waits = await sql<{ app: string; blockers: string[] }>`
          SELECT w.application_name AS app,
            array(SELECT coalesce(h.application_name, '') FROM pg_stat_activity h
                  WHERE h.pid = ANY (pg_blocking_pids(w.pid))) AS blockers
          FROM pg_stat_activity w
          WHERE w.datname = current_database() AND cardinality(pg_blocking_pids(w.pid)) > 0`.execute(tdb.db);
        for (const w of waits.rows) {
          if (w.app.startsWith("backfill")) seen.backfillWaiting = true;
          else if (w.blockers.some((b) => b.startsWith("backfill")))
            seen.appOnBackfill.push(`${w.app} on ${w.blockers.join(",")}`);
          else if (w.blockers.includes("quay-app")) seen.appWaitingOnHolder = true;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(seen.appOnBackfill, [], "an application session waited on a backfill session");
      assert.ok(seen.backfillWaiting, "the backfill met the holder's lock");
      assert.ok(seen.appWaitingOnHolder, "the workload's pushes met it too (the sampling sees waits)");
      assert.equal((await mappingSnapshot(tdb.db)).counts?.maps, 0, "nothing mapped while the lock is held");
      await holder.query("COMMIT");

      const out = await pass;
      assert.equal(out.run.status, "completed");
      stopWorkload.abort();
      const summary = await workload;
      assert.equal(summary.all.errors, 0, JSON.stringify(summary.errorSamples));
      assert.ok((summary.byOperation.push?.count ?? 0) > 0, "pushes ran");
      // Reads never conflict with the holder, and nothing queued them behind the backfill.
      for (const op of ["tag_legacy", "tag", "manifest_by_digest", "blob"] as const) {
        const stats = summary.byOperation[op];
        assert.ok(stats && stats.count > 0, op);
        assert.ok(stats.max < 2500, `${op} waited ${stats.max} ms, as long as the hold`);
      }
      const lines = logs.lines();
      assert.ok(
        lines.some((l) => l.event === "batch.contended"),
        "the batches timed out on the lock",
      );
      assert.equal(lines.filter((l) => l.event === "batch.failed").length, 0);
      assert.deepEqual(invalidLogLines(lines), []);
      assert.equal((await mappingSnapshot(tdb.db)).counts?.maps, candidates);
    } finally {
      stopWorkload.abort();
      await workload.catch(() => undefined);
      await holder.query("COMMIT").catch(() => undefined);
      await pass.catch(() => undefined);
      await redis.cleanup();
    }
  });
});
