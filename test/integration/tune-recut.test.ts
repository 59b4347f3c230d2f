import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { recutPendingBatches } from "../../src/db/batch-recut.js";
import { createRun } from "../../src/db/run-create.js";
import { tuneRunSettings } from "../../src/db/run-tune.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { insertLegacyTags } from "./run-support.js";

interface BatchRow {
  id: string;
  status: string;
  lo: number;
  hi: number;
  tag_ids: number[] | null;
}

/** The re-cut on the ledger alone (src/db/batch-recut.ts): no queue, no worker. */
describe("re-cutting a run's pending batches", () => {
  let tdb: TestDatabase;
  let candidateIds: number[] = [];

  before(async () => {
    tdb = await createTestDatabase("tune_recut");
    await insertLegacyTags(tdb.db, {
      namespaces: ["acme"],
      reposPerNamespace: 3,
      tagsPerRepo: 10,
      hiddenEvery: 4,
    });
    const rows = await sql<{ id: number }>`SELECT id FROM repositorytag WHERE NOT hidden ORDER BY id`.execute(
      tdb.db,
    );
    candidateIds = rows.rows.map((r) => r.id);
  });
  after(async () => {
    await tdb.drop();
  });

  const batches = async (runId: string) =>
    (
      await sql<BatchRow>`SELECT id::text AS id, status, lo::int AS lo, hi::int AS hi, tag_ids::int[] AS tag_ids
        FROM backfill.batch WHERE run_id = ${runId}::bigint ORDER BY lo`.execute(tdb.db)
    ).rows;
  /** How many batches of the run hold each candidate: 1 for every one. */
  const holders = (rows: BatchRow[], id: number) =>
    rows.filter((b) => (b.tag_ids ? b.tag_ids.includes(id) : id >= b.lo && id <= b.hi)).length;
  const newRun = (batchSize: number, tagIds?: number[]) =>
    createRun(tdb.db, {
      kind: tagIds ? "reprocess" : "backfill",
      target: tagIds ? `ids:${tagIds.join(",")}` : "all",
      filters: {},
      options: tagIds ? { tagIds, includeMapped: true } : {},
      dryRun: false,
      batchSize,
      startedBy: {},
      config: {},
      actor: "test",
    });
  const tune = (runId: string, batchSize: number) =>
    tuneRunSettings(tdb.db, {
      runId,
      actor: "test",
      change: { batchSize },
      scopeOf: (run) => ({ filters: {}, includeMapped: run.kind === "reprocess" }),
    });

  test("range batches: claimed ones stay, the pending stretches on either side are re-cut apart", async () => {
    const run = await newRun(3);
    assert.ok(run);
    const runId = String(run.id);
    const cut = await batches(runId);
    // Claim one in the middle, finish the first: two stretches of pending batches.
    const middle = cut[Math.floor(cut.length / 2)];
    const first = cut[0];
    assert.ok(middle && first);
    await sql`UPDATE backfill.batch SET status = 'running' WHERE id = ${middle.id}`.execute(tdb.db);
    await sql`UPDATE backfill.batch SET status = 'done' WHERE id = ${first.id}`.execute(tdb.db);
    const outcome = await tune(runId, 5);
    assert.equal(outcome.kind, "tuned");
    const after = await batches(runId);
    assert.deepEqual(
      after.filter((b) => b.status !== "pending").map((b) => b.id),
      [first.id, middle.id],
    );
    for (const id of candidateIds) assert.equal(holders(after, id), 1, `tag ${id}`);
    for (const b of after.filter((x) => x.status === "pending")) {
      const n = candidateIds.filter((id) => id >= b.lo && id <= b.hi).length;
      assert.ok(n >= 1 && n <= 5, `batch ${b.lo}-${b.hi} holds ${n}`);
      assert.ok(b.hi < middle.lo || b.lo > middle.hi, "no new batch spans the claimed one");
    }
    if (outcome.kind === "tuned") {
      assert.equal(outcome.run.batch_size, 5);
      assert.deepEqual(
        outcome.recut?.added.sort(),
        after
          .filter((b) => b.status === "pending")
          .map((b) => b.id)
          .sort(),
      );
    }
    await sql`UPDATE backfill.run SET status = 'cancelled' WHERE id = ${runId}`.execute(tdb.db);
  });

  test("only the window of pending batches next in line is re-cut; later ones keep their cut", async () => {
    const run = await newRun(1);
    assert.ok(run);
    const runId = String(run.id);
    const cut = await batches(runId);
    assert.ok(cut.length > 8, `${cut.length} batches`);
    const bySeq = (
      await sql<{ id: string }>`SELECT id::text AS id FROM backfill.batch WHERE run_id = ${runId}::bigint
        ORDER BY seq, id`.execute(tdb.db)
    ).rows.map((r) => r.id);
    const recut = await tdb.db
      .transaction()
      .execute((trx) =>
        recutPendingBatches(trx, { runId, batchSize: 2, filters: {}, includeMapped: false, window: 4 }),
      );
    assert.deepEqual([...recut.removed].sort(), bySeq.slice(0, 4).sort());
    const after = await batches(runId);
    const kept = after.filter((b) => !recut.added.includes(b.id)).map((b) => b.id);
    assert.deepEqual(kept.sort(), bySeq.slice(4).sort(), "the batches past the window are untouched");
    assert.equal(recut.added.length, 2, "4 one-tag batches make 2 of 2");
    for (const id of candidateIds) assert.equal(holders(after, id), 1, `tag ${id}`);
    await sql`UPDATE backfill.run SET status = 'cancelled' WHERE id = ${runId}`.execute(tdb.db);
  });

  test("id-list batches are re-cut by their lists; a smaller size makes more batches", async () => {
    const ids = candidateIds.filter((_, i) => i % 2 === 0);
    const run = await newRun(4, ids);
    assert.ok(run);
    const runId = String(run.id);
    const outcome = await tune(runId, 2);
    assert.equal(outcome.kind, "tuned");
    const after = await batches(runId);
    assert.equal(after.length, Math.ceil(ids.length / 2));
    assert.deepEqual(
      after.flatMap((b) => b.tag_ids ?? []).sort((a, b) => a - b),
      ids,
    );
    const seqs = await sql<{
      n: number;
    }>`SELECT count(DISTINCT seq)::int AS n FROM backfill.batch WHERE run_id = ${runId}::bigint`.execute(
      tdb.db,
    );
    assert.equal(seqs.rows[0]?.n, after.length, "every batch has its own seq");
    await sql`UPDATE backfill.run SET status = 'completed' WHERE id = ${runId}`.execute(tdb.db);
    assert.deepEqual(await tune(runId, 3), { kind: "finished", status: "completed" });
    assert.deepEqual(await tune("999999", 3), { kind: "unknown-run" });
  });
});
