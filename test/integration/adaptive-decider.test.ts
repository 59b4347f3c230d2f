import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { claimBatch } from "../../src/db/batch-claim.js";
import { releaseContendedBatch } from "../../src/db/batch-release-contended.js";
import { getRun } from "../../src/db/run-get.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { handleBackfillBatch } from "../../jobs/backfill-batch.js";
import { ADAPT_LOCK_CLASS, BatchSizeAdapter } from "../../src/run/batch-size-adapter.js";
import { LeaseRegistry } from "../../src/run/lease-registry.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { collectingLogger, fakeProcessBatch, insertLegacyTags } from "./run-support.js";
import { createAllTagsRun, tagsNotInOneBatch } from "./run-pass-support.js";

/** Target 0.1 s a batch, 2 to 100 tags: a batch of 10 tags taking 1 s is far too slow. */
const CONFIG = { targetBatchMs: 100, minBatchSize: 2, maxBatchSize: 100 };

/** The adaptive decision with two processes following one run (src/run/batch-size-adapter.ts). */
describe("one adaptive decider per run", () => {
  let tdb: TestDatabase;
  const logs = collectingLogger();
  /** Two processes' adapters: each its own object, as a worker's ledger resync and `run`'s own resync. */
  const adapter = () =>
    new BatchSizeAdapter({ db: tdb.db, logger: logs.logger, enqueue: () => Promise.resolve(0) });

  before(async () => {
    tdb = await createTestDatabase("adaptive_decider");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 40 });
  });
  after(async () => {
    await tdb.drop();
  });

  async function newRun(): Promise<string> {
    return createAllTagsRun(tdb.db, { batchSize: 10, config: CONFIG });
  }

  /** Marks the run's next pending batch done: `tags` settled in `ms`. */
  async function finishOne(runId: string, tags: number, ms: number): Promise<void> {
    await sql`
      UPDATE backfill.batch SET status = 'done', counts = ${JSON.stringify({ backfilled: tags })}::jsonb,
        started_at = clock_timestamp() - make_interval(secs => ${ms / 1000}), finished_at = clock_timestamp()
      WHERE id = (SELECT id FROM backfill.batch WHERE run_id = ${runId}::bigint AND status = 'pending'
                  ORDER BY seq LIMIT 1)`.execute(tdb.db);
  }

  const adaptiveEvents = async (runId: string) =>
    (await listRunEvents(tdb.db, runId)).filter((e) => e.actor === "adaptive");
  const sizeOf = async (runId: string) => (await getRun(tdb.db, runId))?.batch_size;

  test("two adapters ticking together make one change, and a later tick none without new batches", async () => {
    const runId = await newRun();
    await finishOne(runId, 10, 1000);
    await finishOne(runId, 10, 1000);
    const [a, b] = [adapter(), adapter()];
    await Promise.all([a.tick(runId), b.tick(runId), a.tick(runId), b.tick(runId)]);
    assert.equal(await sizeOf(runId), 5, "halved once (a second decision would make it 3)");
    assert.equal((await adaptiveEvents(runId)).length, 1);
    await b.tick(runId);
    await a.tick(runId);
    assert.equal(await sizeOf(runId), 5);
    assert.equal((await adaptiveEvents(runId)).length, 1);
  });

  test("a process that does not get the run's lock leaves the tick to the holder", async () => {
    const runId = await newRun();
    await finishOne(runId, 10, 1000);
    await finishOne(runId, 10, 1000);
    const holder = new pg.Client({ connectionString: tdb.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [ADAPT_LOCK_CLASS, Number(runId)]);
      await adapter().tick(runId);
      assert.equal(await sizeOf(runId), 10, "no decision while another holds the lock");
      await holder.query("COMMIT");
    } finally {
      await holder.end();
    }
    await adapter().tick(runId);
    assert.equal(await sizeOf(runId), 5);
  });

  test("the average lives on the run: a new process continues it", async () => {
    const runId = await newRun();
    await finishOne(runId, 10, 1000);
    await adapter().tick(runId);
    assert.equal(await sizeOf(runId), 10, "one sample is not enough to change");
    const stored = (await getRun(tdb.db, runId))?.adaptive_state as Record<string, unknown>;
    assert.ok(Math.abs((stored.msPerTag as number) - 100) < 0.01, String(stored.msPerTag));
    assert.equal(stored.samplesSinceChange, 1);
    await finishOne(runId, 10, 500);
    // A process that never saw the first batch: its second sample completes the pair.
    await adapter().tick(runId);
    assert.equal(await sizeOf(runId), 5);
    const after = (await getRun(tdb.db, runId))?.adaptive_state as Record<string, unknown>;
    assert.ok(Math.abs((after.msPerTag as number) - (0.3 * 50 + 0.7 * 100)) < 0.01, String(after.msPerTag));
    assert.equal(after.samplesSinceChange, 0);
  });

  test("a contended delivery halves at once, without samples, once for both adapters, not below the minimum", async () => {
    const runId = await newRun();
    const contend = async () => {
      const pending = await sql<{ id: string }>`SELECT id::text AS id FROM backfill.batch
        WHERE run_id = ${runId}::bigint AND status = 'pending' ORDER BY seq LIMIT 1`.execute(tdb.db);
      const claimed = await claimBatch(tdb.db, pending.rows[0]?.id ?? "0", 5000);
      assert.ok(claimed);
      assert.ok(await releaseContendedBatch(tdb.db, claimed.id, claimed.leaseToken, "lock timeout"));
    };
    await contend();
    const [a, b] = [adapter(), adapter()];
    await Promise.all([a.tick(runId), b.tick(runId)]);
    assert.equal(await sizeOf(runId), 5);
    const events = await adaptiveEvents(runId);
    assert.equal(events.length, 1);
    assert.match(JSON.stringify(events[0]?.detail), /contended delivery, 10 -> 5 tags/);
    await Promise.all([a.tick(runId), b.tick(runId)]);
    assert.equal(await sizeOf(runId), 5, "the same contention is not counted twice");
    for (const expected of [2, 2]) {
      await contend();
      await a.tick(runId);
      assert.equal(await sizeOf(runId), expected, "halved, held at the minimum");
    }
  });

  test("a lock timeout shrinks the run's next batches at once, claimed ones keep their range; a timeout of a batch cut before that shrink changes nothing more", async () => {
    const runId = await newRun();
    const batches = async (status: string) =>
      (
        await sql<{ id: string; lo: number; hi: number; tags: number }>`
          SELECT b.id::text AS id, b.lo, b.hi,
            (SELECT count(*) FROM repositorytag rt WHERE rt.id BETWEEN b.lo AND b.hi)::int AS tags
          FROM backfill.batch b WHERE b.run_id = ${runId}::bigint AND b.status = ${status} ORDER BY b.lo`.execute(
          tdb.db,
        )
      ).rows;
    const [held, stale] = await batches("pending");
    assert.ok(held && stale);
    // Another worker holds one batch; a second one's lease has run out (its worker is gone).
    assert.ok(await claimBatch(tdb.db, held.id, 60_000));
    assert.ok(await claimBatch(tdb.db, stale.id, 1));
    const enqueued: string[] = [];
    const sizeAdapter = new BatchSizeAdapter({
      db: tdb.db,
      logger: logs.logger,
      enqueue: (_run, ids) => (enqueued.push(...ids), Promise.resolve(ids.length)),
    });
    const timeout = Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" });
    const deliver = (batchId: string) =>
      handleBackfillBatch(
        { runId, batchId },
        {
          db: tdb.db,
          logger: logs.logger,
          processBatch: fakeProcessBatch(tdb.db, { before: () => Promise.reject(timeout) }),
          leases: new LeaseRegistry(),
          leaseMs: 10_000,
          attempt: 1,
          maxAttempts: 3,
          actor: "test",
          sizeAdapter,
        },
      );
    const first = (await batches("pending"))[0];
    assert.ok(first);
    assert.equal((await deliver(first.id)).kind, "contended");
    assert.equal(await sizeOf(runId), 5, "halved by the timeout itself, no tick in between");
    const events = await adaptiveEvents(runId);
    assert.equal(events.length, 1);
    assert.match(JSON.stringify(events[0]?.detail), /contended delivery, 10 -> 5 tags/);
    const tuned = logs.lines().filter((l) => l.event === "run.tuned" && l.runId === runId);
    assert.equal(tuned.length, 1, "logged as every size change is");
    assert.deepEqual(
      (await batches("running")).map((b) => [b.id, b.lo, b.hi]),
      [
        [held.id, held.lo, held.hi],
        [stale.id, stale.lo, stale.hi],
      ],
    );
    const pending = await batches("pending");
    assert.ok(
      pending.every((b) => b.tags <= 5),
      JSON.stringify(pending),
    );
    assert.deepEqual([...enqueued].sort(), pending.map((b) => b.id).sort(), "the re-cut batches are queued");
    assert.deepEqual(await tagsNotInOneBatch(tdb.db, runId), []);

    // The batch claimed before the shrink times out too: it was of the old size, so that is no news.
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await deliver(stale.id)).kind, "contended");
    assert.equal(await sizeOf(runId), 5);
    await adapter().tick(runId);
    assert.equal(await sizeOf(runId), 5, "nor does the next tick halve for it");
    // One of the batches cut at the new size times out: halved again (5 -> 2, the minimum).
    const recut = pending[0];
    assert.ok(recut);
    assert.equal((await deliver(recut.id)).kind, "contended");
    assert.equal(await sizeOf(runId), 2);
    assert.equal((await adaptiveEvents(runId)).length, 2);
    assert.deepEqual(await tagsNotInOneBatch(tdb.db, runId), []);
  });
});
