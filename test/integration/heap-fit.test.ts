import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { handleBackfillBatch } from "../../jobs/backfill-batch.js";
import type { DbProcessBatch } from "../../src/db/batch-store.js";
import { LeaseRegistry } from "../../src/run/lease-registry.js";
import { runPass } from "../../src/run/run-pass.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { collectingLogger, fakeProcessBatch, insertLegacyTags, mappingSnapshot } from "./run-support.js";
import {
  createAllTagsRun,
  resetMappings,
  tagsNotInOneBatch,
  testPassSetup,
  testRun,
} from "./run-pass-support.js";

/**
 * A worker whose heap holds fewer tags per batch than the run's batches have (the run's adaptive maximum came
 * from a process with a larger heap): it keeps what it holds and gives the rest back (jobs/batch-heap-fit.ts).
 */
describe("a batch larger than the worker's heap holds", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let candidates = 0;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("heap_fit");
    redis = await createTestRedis("heap-fit");
    ({ candidates } = await insertLegacyTags(tdb.db, {
      namespaces: ["acme", "beta"],
      reposPerNamespace: 2,
      tagsPerRepo: 25,
    }));
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  async function newRun(batchSize: number): Promise<string> {
    await resetMappings(tdb.db);
    return createAllTagsRun(tdb.db, { batchSize });
  }

  /** The run's batches with the candidate tags (unmapped, not hidden) of their range or list. */
  const batches = async (runId: string) =>
    (
      await sql<{ id: string; status: string; lo: number; hi: number; listed: number | null; tags: number }>`
        SELECT b.id::text AS id, b.status, b.lo, b.hi, cardinality(b.tag_ids)::int AS listed,
          (SELECT count(*) FROM repositorytag rt WHERE rt.id BETWEEN b.lo AND b.hi AND NOT rt.hidden
             AND (b.tag_ids IS NULL OR rt.id = ANY(b.tag_ids))
             AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id))::int AS tags
        FROM backfill.batch b WHERE b.run_id = ${runId}::bigint ORDER BY b.lo`.execute(tdb.db)
    ).rows;

  /** One delivery by a worker whose heap holds `maxBatchTags`; returns the tags the core was given. */
  async function deliver(runId: string, batchId: string, maxBatchTags: number, enqueued: string[]) {
    const seen: number[] = [];
    const fake = fakeProcessBatch(tdb.db);
    const core: DbProcessBatch = async (work, finalize) => {
      const out = await fake(work, finalize);
      if (!("preempted" in out)) seen.push(out.results.length);
      return out;
    };
    const result = await handleBackfillBatch(
      { runId, batchId },
      {
        db: tdb.db,
        logger: logs.logger,
        processBatch: core,
        leases: new LeaseRegistry(),
        leaseMs: 10_000,
        attempt: 1,
        maxAttempts: 3,
        actor: "test",
        maxBatchTags,
        enqueue: (_run, ids) => (enqueued.push(...ids), Promise.resolve(ids.length)),
      },
    );
    return { result, seen };
  }

  const trimmedEvents = (runId: string) =>
    logs.lines().filter((l) => l.event === "batch.trimmed" && l.runId === runId);

  test("a range batch: the worker keeps its first tags, gives the rest back as a new queued batch, and each tag is done once", async () => {
    const runId = await newRun(10);
    const [first] = await batches(runId);
    assert.ok(first && first.tags === 10);
    const enqueued: string[] = [];
    const one = await deliver(runId, first.id, 4, enqueued);
    assert.equal(one.result.kind, "done");
    assert.deepEqual(one.seen, [4], "the core was handed 4 tags, not 10");
    const after1 = await batches(runId);
    const kept = after1.find((b) => b.id === first.id);
    assert.deepEqual([kept?.status, kept?.lo, kept?.hi], ["done", first.lo, first.lo + 3]);
    const givenBack = after1.find((b) => b.id === enqueued[0]);
    assert.ok(givenBack, "the excess went on the queue");
    assert.deepEqual(
      [givenBack.status, givenBack.lo, givenBack.hi, givenBack.tags],
      ["pending", first.lo + 4, first.hi, 6],
    );
    const event = trimmedEvents(runId)[0];
    assert.deepEqual(
      [event?.batchId, event?.maxTags, event?.givenBack, event?.lo, event?.hi, event?.enqueued],
      [first.id, 4, givenBack.id, first.lo, first.lo + 3, true],
    );
    // The given-back batch is delivered to the same small worker: trimmed again, then it fits.
    const two = await deliver(runId, givenBack.id, 4, enqueued);
    assert.deepEqual(two.seen, [4]);
    const last = enqueued[1];
    assert.ok(last);
    const three = await deliver(runId, last, 4, enqueued);
    assert.deepEqual(three.seen, [2]);
    assert.equal(enqueued.length, 2, "a batch that fits gives nothing back");
    assert.equal(trimmedEvents(runId).length, 2);
    assert.deepEqual(await tagsNotInOneBatch(tdb.db, runId), []);
    const mapped = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM tagtorepositorytag WHERE repository_tag_id BETWEEN ${first.lo} AND ${first.hi}`.execute(
      tdb.db,
    );
    assert.equal(mapped.rows[0]?.n, 10);
  });

  test("an id-list batch keeps its first ids and gives the rest of the list back", async () => {
    const runId = await newRun(10);
    const [first] = await batches(runId);
    assert.ok(first);
    await sql`UPDATE backfill.batch SET tag_ids = ARRAY(SELECT generate_series(lo, hi))::bigint[]
      WHERE id = ${first.id}::bigint`.execute(tdb.db);
    const enqueued: string[] = [];
    const one = await deliver(runId, first.id, 3, enqueued);
    assert.deepEqual(one.seen, [3]);
    const after1 = await batches(runId);
    const kept = after1.find((b) => b.id === first.id);
    const givenBack = after1.find((b) => b.id === enqueued[0]);
    assert.deepEqual([kept?.lo, kept?.hi, kept?.listed], [first.lo, first.lo + 2, 3]);
    assert.deepEqual([givenBack?.lo, givenBack?.hi, givenBack?.listed], [first.lo + 3, first.hi, 7]);
  });

  test("a whole run on workers holding 8 tags a batch, its batches cut at 30: every tag done once, no batch above 8", async () => {
    await sql`UPDATE backfill.run SET status = 'cancelled' WHERE status = 'running'`.execute(tdb.db);
    await resetMappings(tdb.db);
    const env = { db: tdb.db, logger: logs.logger, redis };
    const out = await runPass(
      testPassSetup(env, { maxBatchTags: 8, resyncMs: 200, run: testRun({ batchSize: 30 }) }),
    );
    const runId = String(out.run.id);
    assert.equal(out.run.status, "completed");
    assert.deepEqual((await mappingSnapshot(tdb.db)).counts, {
      tags: candidates,
      maps: candidates,
      orphans: 0,
      unmapped: 0,
    });
    assert.deepEqual(await tagsNotInOneBatch(tdb.db, runId), []);
    const completed = logs.lines().filter((l) => l.event === "batch.completed" && l.runId === runId);
    assert.ok(
      completed.every((l) => (l.tags as number) <= 8),
      JSON.stringify(completed.map((l) => l.tags)),
    );
    assert.ok(trimmedEvents(runId).length >= Math.ceil(candidates / 30), "every batch of 30 was trimmed");
  });
});
