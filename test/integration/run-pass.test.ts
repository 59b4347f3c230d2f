import type { DbProcessBatch } from "../../src/db/batch-store.js";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { handleBackfillBatch } from "../../jobs/backfill-batch.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { getRun } from "../../src/db/run-get.js";
import { LeaseRegistry } from "../../src/run/lease-registry.js";
import { runPass, type RunPassSetup } from "../../src/run/run-pass.js";
import { passVerdict } from "../../src/run/run-summary.js";
import { startOrResumeRun } from "../../src/run/start-run.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import {
  collectingLogger,
  fakeProcessBatch,
  insertLegacyTags,
  invalidLogLines,
  mappingSnapshot,
} from "./run-support.js";
import { JOB_TABLE } from "../../jobs/job-table.js";
import { testRun } from "./run-pass-support.js";

const FAST_RETRY = { attempts: 3, backoffMs: 50, jitter: 0.5 };

describe("backfill run (in-process workers, stand-in batch core)", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let candidates = 0;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("run_pass");
    redis = await createTestRedis("run-pass");
    ({ candidates } = await insertLegacyTags(tdb.db, {
      namespaces: ["acme", "beta"],
      reposPerNamespace: 3,
      tagsPerRepo: 20,
      hiddenEvery: 5,
    }));
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  function setup(processBatch: DbProcessBatch, overrides: Partial<RunPassSetup> = {}): RunPassSetup {
    return {
      db: tdb.db,
      logger: logs.logger,
      redisUrl: redis.url,
      prefix: redis.prefix,
      concurrency: 3,
      leaseMs: 3000,
      retry: FAST_RETRY,
      processBatch,
      jobs: JOB_TABLE,
      pollMs: 50,
      progressLogMs: 0,
      run: testRun({ batchSize: 7 }),
      ...overrides,
    };
  }

  test("a dry run plans every candidate and writes nothing but its ledger", async () => {
    const out = await runPass(
      setup(fakeProcessBatch(tdb.db), { run: { ...setup(fakeProcessBatch(tdb.db)).run, dryRun: true } }),
    );
    assert.equal(out.run.status, "completed");
    assert.equal(out.run.dry_run, true);
    assert.equal(out.progress.tags.done, candidates);
    const snap = await mappingSnapshot(tdb.db);
    assert.equal(snap.counts?.maps, 0);
    const outcomes = await tdb.db
      .selectFrom("backfill.tag_outcome")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(outcomes.n, 0);
  });

  test("a crash between planning and commit, and one after commit, are retried without duplicates", async () => {
    const crashed = new Set<string>();
    const process = fakeProcessBatch(tdb.db, {
      beforeCommit: (work) => {
        if (Number(work.batchId) % 3 === 0 && !crashed.has(`b${work.batchId}`)) {
          crashed.add(`b${work.batchId}`);
          throw new Error("injected crash before commit");
        }
      },
      afterCommit: (work) => {
        if (Number(work.batchId) % 3 === 1 && !crashed.has(`a${work.batchId}`)) {
          crashed.add(`a${work.batchId}`);
          throw new Error("injected crash after commit");
        }
      },
    });
    const out = await runPass(setup(process));
    assert.equal(out.run.status, "completed", out.run.error ?? "");
    assert.equal(out.remaining, 0);
    assert.ok(crashed.size >= 2, "crashes were injected");
    const snap = await mappingSnapshot(tdb.db);
    assert.deepEqual(snap.counts, { tags: candidates, maps: candidates, orphans: 0, unmapped: 0 });
    // Every batch of the run is done once, with the tags of its range.
    assert.equal(out.progress.batches.done, out.progress.batches.total);
    assert.equal(out.progress.tags.backfilled + out.progress.tags.backfilled_broken, candidates);
    const outcomes = await tdb.db
      .selectFrom("backfill.tag_outcome")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(outcomes.n, candidates);
  });

  test("the same run again finds nothing to do and changes no row", async () => {
    const before = await mappingSnapshot(tdb.db);
    const out = await runPass(setup(fakeProcessBatch(tdb.db)));
    assert.equal(out.run.status, "completed");
    assert.equal(out.run.total_tags, 0);
    assert.deepEqual(await mappingSnapshot(tdb.db), before);
  });

  test("two deliveries of one batch at once: one writes, the other writes nothing", async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
    const started = await startOrResumeRun(tdb.db, {
      ...setup(fakeProcessBatch(tdb.db)).run,
      batchSize: 1000,
    });
    const [batchId] = started.batchIds;
    assert.ok(batchId);
    const leases = new LeaseRegistry();
    const ctx = {
      db: tdb.db,
      logger: logs.logger,
      processBatch: fakeProcessBatch(tdb.db, { delayMs: 150 }),
      leases,
      leaseMs: 5000,
      attempt: 1,
      maxAttempts: 3,
      actor: "test",
    };
    const payload = { runId: String(started.run.id), batchId };
    const [a, b] = await Promise.all([handleBackfillBatch(payload, ctx), handleBackfillBatch(payload, ctx)]);
    const kinds = [a.kind, b.kind].sort();
    assert.deepEqual(kinds, ["done", "lease-held"]);
    // A late third delivery writes nothing either.
    assert.equal((await handleBackfillBatch(payload, ctx)).kind, "run-inactive"); // late: the run is over
    const snap = await mappingSnapshot(tdb.db);
    assert.deepEqual(snap.counts, { tags: candidates, maps: candidates, orphans: 0, unmapped: 0 });
    assert.equal((await getRun(tdb.db, payload.runId))?.status, "completed");
  });

  test("a batch that keeps failing exhausts its attempts: batch failed, run failed with the reason", async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
    let poisoned: string | undefined;
    const process = fakeProcessBatch(tdb.db, {
      beforeCommit: (work) => {
        poisoned ??= work.batchId;
        if (work.batchId === poisoned) throw new Error("poisoned batch");
      },
    });
    const out = await runPass(setup(process));
    assert.equal(out.run.status, "failed");
    assert.match(out.run.error ?? "", /1 batch\(es\) failed.*poisoned batch/);
    assert.equal(out.progress.batches.failed, 1);
    assert.equal(out.progress.batches.done, out.progress.batches.total - 1);
    const failed = await tdb.db
      .selectFrom("backfill.batch")
      .select(["attempts", "error"])
      .where("status", "=", "failed")
      .executeTakeFirstOrThrow();
    assert.equal(failed.attempts, FAST_RETRY.attempts);
    assert.ok(out.remaining > 0);
    const verdict = passVerdict(out.run, out.progress, out.remaining, out.interrupted);
    assert.equal(verdict.ok, false);
    // The next `run` is a new run over what is still unmapped, and completes it.
    const next = await runPass(setup(fakeProcessBatch(tdb.db)));
    assert.equal(next.run.status, "completed");
    assert.notEqual(String(next.run.id), String(out.run.id));
    assert.equal(next.remaining, 0);
    assert.deepEqual((await mappingSnapshot(tdb.db)).counts, {
      tags: candidates,
      maps: candidates,
      orphans: 0,
      unmapped: 0,
    });
  });

  test("an interrupted pass leaves the run active, and the next pass resumes it", async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
    const abort = new AbortController();
    const process = fakeProcessBatch(tdb.db, { delayMs: 100, afterCommit: () => abort.abort() });
    const first = await runPass(setup(process, { concurrency: 1, signal: abort.signal }));
    assert.equal(first.interrupted, true);
    assert.equal(first.run.status, "running");
    assert.ok(first.progress.batches.done >= 1 && first.progress.batches.done < first.progress.batches.total);
    assert.equal(first.progress.batches.running, 0, "the graceful stop finished or released its batch");
    const second = await runPass(setup(fakeProcessBatch(tdb.db)));
    assert.equal(second.resumed, true);
    assert.equal(String(second.run.id), String(first.run.id));
    assert.equal(second.run.status, "completed");
    assert.deepEqual((await mappingSnapshot(tdb.db)).counts, {
      tags: candidates,
      maps: candidates,
      orphans: 0,
      unmapped: 0,
    });
    const events = await listRunEvents(tdb.db, String(second.run.id));
    assert.deepEqual(
      events.map((e) => e.to_status),
      ["running", "completed"],
    );
  });

  test("every line logged so far matches the documented vocabulary and carries no secret", () => {
    const lines = logs.lines();
    assert.ok(lines.length > 10);
    assert.deepEqual(invalidLogLines(lines), []);
    const events = new Set(lines.map((l) => l.event));
    for (const e of [
      "run.started",
      "batch.completed",
      "run.progress",
      "tag.broken",
      "run.completed",
      "worker.started",
      "worker.stopped",
      "batch.retrying",
    ]) {
      assert.ok(events.has(e), `missing ${e}`);
    }
  });
});
