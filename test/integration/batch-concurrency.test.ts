import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { sql } from "kysely";
import { loadBatch } from "../../src/backfill/load-batch.js";
import { planBatch } from "../../src/backfill/plan-batch.js";
import { prepareWrite, tagKeyOf } from "../../src/backfill/prepare-write.js";
import type { BatchResult } from "../../src/backfill/batch-result.js";
import { processBatch } from "../../src/backfill/process-batch.js";
import type { MapPlan } from "../../src/backfill/tag-plan.js";
import { writeIsolated } from "../../src/backfill/write-isolated.js";
import { createBatchStore } from "../../src/db/batch-store.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { integrityProblems, LegacyFixtures, mixedTags } from "./batch-fixtures.js";
import { batchDeps, createRunAndBatch, runBatch, testKeyPem } from "./batch-harness.js";

/** The races the per-tag locks and the mapping's unique index settle. */
describe("processBatch: concurrent writers", () => {
  let signer: BatchSigner;
  let t: TestDatabase;
  let f: LegacyFixtures;

  before(() => {
    signer = createSignerPool(testKeyPem(), { mode: "threads" });
  });
  after(async () => {
    await signer.close();
  });
  beforeEach(async () => {
    t = await createTestDatabase("batch_conc");
    f = new LegacyFixtures(t.db);
  });
  afterEach(async () => {
    await t.drop();
  });

  test("a batch loaded before another committed waits on the locks, then skips what it mapped", async () => {
    const tags = await mixedTags(f, "acme", "app", 10);
    let releaseA: () => void = () => undefined;
    let aHoldsLocks: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (aHoldsLocks = resolve));
    const gate = new Promise<void>((resolve) => (releaseA = resolve));
    const a = (async () => {
      const { runId, batchId } = await createRunAndBatch(t.db, 0, 1e9);
      const work = { runId, batchId, lo: 0, hi: 1e9, tagIds: null, dryRun: false, filters: {} };
      return processBatch(work, batchDeps(t.db, signer), async () => {
        aHoldsLocks();
        await gate;
        return true;
      });
    })();
    await held;
    // B loads now: A's rows are not committed, so B plans every tag, then blocks on A's locks.
    const b = runBatch(t.db, signer, { lo: 0, hi: 1e9 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    releaseA();
    const [resultA, resultB] = await Promise.all([a, b]);
    assert.equal((resultA as BatchResult).counts.skipped, 0);
    assert.equal(resultB.counts.skipped, tags.length);
    assert.ok(
      resultB.results.every((r) => r.reason === "already_mapped" && /another writer/.test(r.detail ?? "")),
    );
    assert.equal(resultB.rowsWritten, 0);
    assert.deepEqual(Object.values(await integrityProblems(t.db)), [0, 0, 0, 0, 0, 0]);
  });

  test("a writer that ignores the locks (Quay) maps a tag mid-write: that tag's rows roll back", async () => {
    const tags = await mixedTags(f, "acme", "app", 10);
    const store = createBatchStore(t.db).session();
    const facts = await loadBatch(store, { lo: 0, hi: 1e9, tagIds: null });
    const { plans } = await planBatch(facts, {
      signer,
      libraryNamespace: "library",
      manifestMaxBytes: 3145728,
      force: false,
    });
    const mapPlans = plans.filter((p): p is MapPlan => p.kind === "map");
    const prepared = prepareWrite(
      mapPlans,
      await store.loadTagStates(mapPlans.map((p) => p.tag.id)),
      await store.loadExistingTags(mapPlans.map(tagKeyOf)),
    );
    // Quay maps tag 0 after our checks: its own tag row (another name, so only the mapping collides).
    const victim = tags[0] as number;
    const kind = await t.db.selectFrom("tagkind").select("id").executeTakeFirstOrThrow();
    const rt = await t.db
      .selectFrom("repositorytag")
      .selectAll()
      .where("id", "=", victim)
      .executeTakeFirstOrThrow();
    const quayTag = await t.db
      .insertInto("tag")
      .values({
        name: "quay",
        repository_id: rt.repository_id,
        manifest_id: null,
        lifetime_start_ms: 0,
        lifetime_end_ms: 1,
        tag_kind_id: kind.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("tagtorepositorytag")
      .values({ repository_id: rt.repository_id, tag_id: quayTag.id, repository_tag_id: victim })
      .execute();

    const written = await store.transaction(async (writes) =>
      writeIsolated(writes, prepared.writable, await store.loadEnumIds()),
    );
    assert.deepEqual(written.dropped.get(victim)?.reason, "already_mapped");
    assert.equal(written.failed.size, 0);
    const ours = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM tagmanifest WHERE tag_id = ${victim}`.execute(t.db);
    assert.equal(ours.rows[0]?.n, 0, "the generated tag manifest of the lost tag was rolled back");
    const mapped = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tagtorepositorytag`.execute(t.db);
    assert.equal(mapped.rows[0]?.n, tags.length);
    const tagRows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tag`.execute(t.db);
    assert.equal(tagRows.rows[0]?.n, tags.length, "no tag row of ours for the lost tag");
  });
});
