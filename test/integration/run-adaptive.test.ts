import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DbProcessBatch } from "../../src/db/batch-store.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { runPass } from "../../src/run/run-pass.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { collectingLogger, fakeProcessBatch, insertLegacyTags, mappingSnapshot } from "./run-support.js";
import { resetMappings, testPassSetup, testRun, tagsNotInOneBatch } from "./run-pass-support.js";

/** A batch core whose batches take `msPerTag` for each tag of their range: duration grows with size. */
function proportionalCore(tdb: TestDatabase, msPerTag: number): DbProcessBatch {
  const fake = fakeProcessBatch(tdb.db);
  return async (work, finalize) => {
    const size = work.tagIds?.length ?? work.hi - work.lo + 1;
    await new Promise((r) => setTimeout(r, size * msPerTag));
    return fake(work, finalize);
  };
}

/** The run's own adaptive settings, as `backfill run` records them from the configuration. */
const ADAPTIVE = { targetBatchMs: 300, minBatchSize: 2, maxBatchSize: 100 };

describe("adaptive batch size", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let candidates = 0;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("run_adaptive");
    redis = await createTestRedis("run-adaptive");
    ({ candidates } = await insertLegacyTags(tdb.db, {
      namespaces: ["acme", "beta"],
      reposPerNamespace: 4,
      tagsPerRepo: 25,
    }));
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  const tunings = (runId: string) =>
    logs.lines().filter((l) => l.event === "run.tuned" && l.runId === runId && l.actor === "adaptive");

  /** Runs a pass from `batchSize` and checks what every adaptive run must end with. */
  async function adaptiveRun(batchSize: number) {
    await resetMappings(tdb.db);
    const env = { db: tdb.db, logger: logs.logger, redis };
    const out = await runPass(
      testPassSetup(env, {
        processBatch: proportionalCore(tdb, 10),
        resyncMs: 100,
        run: testRun({ batchSize, config: ADAPTIVE }),
      }),
    );
    const runId = String(out.run.id);
    assert.equal(out.run.status, "completed");
    assert.equal(out.progress.batches.failed, 0);
    assert.deepEqual((await mappingSnapshot(tdb.db)).counts, {
      tags: candidates,
      maps: candidates,
      orphans: 0,
      unmapped: 0,
    });
    // Every candidate lies in exactly one batch of the run: the re-cuts lost and doubled nothing.
    assert.deepEqual(await tagsNotInOneBatch(tdb.db, runId), []);
    const history = await listRunEvents(tdb.db, runId);
    const recorded = history.filter((e) => e.actor === "adaptive");
    assert.equal(recorded.length, tunings(runId).length, "every change is in the run's history");
    return { out, runId };
  }

  test("from far below the target the size grows toward it, each change logged", async () => {
    const { out, runId } = await adaptiveRun(2);
    const changes = tunings(runId);
    assert.ok(changes.length >= 1, "the size changed");
    const first = changes[0] as { changes: { batchSize: { from: number; to: number } }; reason: string };
    assert.equal(first.changes.batchSize.from, 2);
    assert.ok(first.changes.batchSize.to > 2 && first.changes.batchSize.to <= 4, "at most doubled");
    assert.match(first.reason, /^adaptive: \d+\.\d+ s per batch < 0\.30 s target$/);
    assert.ok(out.run.batch_size > 4, `ended at ${out.run.batch_size}`);
  });

  test("from above the target the size shrinks; claimed batches keep their range", async () => {
    const { out, runId } = await adaptiveRun(60);
    const changes = tunings(runId) as {
      changes: { batchSize: { from: number; to: number } };
      reason: string;
    }[];
    assert.ok(changes.length >= 1, "the size changed");
    assert.equal(changes[0]?.changes.batchSize.from, 60);
    assert.equal(changes[0]?.changes.batchSize.to, 30);
    assert.match(changes[0]?.reason ?? "", /^adaptive: \d+\.\d+ s per batch > 0\.30 s target$/);
    assert.ok(out.run.batch_size < 60);
  });
});
