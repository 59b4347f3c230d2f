import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { runPass, type RunPassSetup } from "../../src/run/run-pass.js";
import type { ProcessBatch } from "../../src/run/batch-processor.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import {
  collectingLogger,
  fakeProcessBatch,
  insertLegacyTags,
  invalidLogLines,
  mappingSnapshot,
} from "./run-support.js";

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

  function setup(processBatch: ProcessBatch, overrides: Partial<RunPassSetup> = {}): RunPassSetup {
    return {
      db: tdb.db,
      logger: logs.logger,
      redisUrl: redis.url,
      prefix: redis.prefix,
      concurrency: 3,
      leaseMs: 3000,
      retry: FAST_RETRY,
      processBatch,
      pollMs: 50,
      progressLogMs: 0,
      run: {
        kind: "backfill",
        filters: {},
        options: {},
        dryRun: false,
        batchSize: 7,
        startedBy: { test: true },
        config: {},
        actor: "test",
      },
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
