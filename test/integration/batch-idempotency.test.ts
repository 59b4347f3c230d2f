import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { sql } from "kysely";
import { processBatch } from "../../src/backfill/process-batch.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { integrityProblems, LegacyFixtures, mixedTags, newSideCounts } from "./batch-fixtures.js";
import { batchDeps, createRunAndBatch, runBatch, testKeyPem } from "./batch-harness.js";

const CLEAN = {
  tagWithoutMapping: 0,
  manifestUnused: 0,
  tagManifestUnlinked: 0,
  duplicateTagKey: 0,
  duplicateLabelMap: 0,
  unmappedCandidate: 0,
};

/** Runs, reruns, overlaps and aborts end with exactly the rows of one clean run. */
describe("processBatch: idempotency and isolation", () => {
  let signer: BatchSigner;
  let t: TestDatabase;
  let f: LegacyFixtures;

  before(() => {
    signer = createSignerPool(testKeyPem());
  });
  after(async () => {
    await signer.close();
  });
  beforeEach(async () => {
    t = await createTestDatabase("batch_idem");
    f = new LegacyFixtures(t.db);
  });
  afterEach(async () => {
    await t.drop();
  });

  test("the same batch twice: the second writes nothing and reports every tag already mapped", async () => {
    const tags = await mixedTags(f, "acme", "app", 20);
    const first = await runBatch(t.db, signer, { lo: 0, hi: 1e9 });
    assert.equal(first.counts.failed, 0);
    assert.equal(first.counts.backfilled + first.counts.backfilled_broken, tags.length);
    const once = await newSideCounts(t.db);
    const second = await runBatch(t.db, signer, { lo: 0, hi: 1e9 });
    assert.equal(second.counts.skipped, tags.length);
    assert.equal(second.rowsWritten, 0);
    const outcomes = await t.db.selectFrom("backfill.tag_outcome").select(["outcome", "reason"]).execute();
    assert.ok(
      outcomes.every((o) => o.outcome !== "skipped"),
      "a rerun keeps the recorded outcomes",
    );
    assert.deepEqual(await newSideCounts(t.db), once);
    assert.deepEqual(await integrityProblems(t.db), CLEAN);
  });

  test("the same data in another database gives byte-identical manifests", async () => {
    await mixedTags(f, "acme", "app", 10);
    const first = await runBatch(t.db, signer, { lo: 0, hi: 1e9 });
    assert.equal(first.counts.failed, 0);
    const bytes = await t.db
      .selectFrom("manifest")
      .select(["digest", "manifest_bytes"])
      .orderBy("digest")
      .execute();
    const other = await createTestDatabase("batch_idem_b");
    try {
      await mixedTags(new LegacyFixtures(other.db), "acme", "app", 10);
      await runBatch(other.db, signer, { lo: 0, hi: 1e9 });
      const again = await other.db
        .selectFrom("manifest")
        .select(["digest", "manifest_bytes"])
        .orderBy("digest")
        .execute();
      assert.deepEqual(again, bytes);
    } finally {
      await other.drop();
    }
  });

  test("finalize returning false writes nothing at all", async () => {
    await mixedTags(f, "acme", "app", 10);
    const before = await newSideCounts(t.db);
    const { runId, batchId } = await createRunAndBatch(t.db, 0, 1e9);
    const work = { runId, batchId, lo: 0, hi: 1e9, tagIds: null, dryRun: false, filters: {} };
    const result = await processBatch(work, batchDeps(t.db, signer), async (trx) => {
      await trx.updateTable("backfill.batch").set({ status: "done" }).where("id", "=", batchId).execute();
      return false;
    });
    assert.deepEqual(result, { preempted: true });
    assert.deepEqual(await newSideCounts(t.db), before);
    const batch = await t.db
      .selectFrom("backfill.batch")
      .select("status")
      .where("id", "=", batchId)
      .executeTakeFirstOrThrow();
    assert.equal(batch.status, "running");
  });

  test("a half-backfilled database: only the rest is written", async () => {
    const tags = await mixedTags(f, "acme", "app", 20);
    const some = tags.filter((_, i) => i % 3 === 0);
    const partial = await runBatch(t.db, signer, { lo: 0, hi: 1e9, tagIds: some });
    assert.equal(partial.results.length, some.length);
    const full = await runBatch(t.db, signer, { lo: 0, hi: 1e9 });
    assert.equal(full.counts.skipped, some.length);
    assert.equal(full.counts.backfilled + full.counts.backfilled_broken, tags.length - some.length);
    const mixed = await newSideCounts(t.db);

    const fresh = await createTestDatabase("batch_idem_c");
    try {
      await mixedTags(new LegacyFixtures(fresh.db), "acme", "app", 20);
      await runBatch(fresh.db, signer, { lo: 0, hi: 1e9 });
      const clean = await newSideCounts(fresh.db);
      assert.deepEqual({ ...mixed, "backfill.tag_outcome": 0 }, { ...clean, "backfill.tag_outcome": 0 });
    } finally {
      await fresh.drop();
    }
    assert.deepEqual(await integrityProblems(t.db), CLEAN);
  });

  test("two batches over the same range at once: no duplicate, no orphan", async () => {
    const tags = await mixedTags(f, "acme", "app", 40);
    const [a, b] = await Promise.all([
      runBatch(t.db, signer, { lo: 0, hi: 1e9 }),
      runBatch(t.db, signer, { lo: tags[10] as number, hi: 1e9 }),
    ]);
    assert.equal(a.counts.failed + b.counts.failed, 0);
    const written =
      a.counts.backfilled + a.counts.backfilled_broken + b.counts.backfilled + b.counts.backfilled_broken;
    assert.equal(written, tags.length, "each tag written by exactly one of them");
    assert.deepEqual(await integrityProblems(t.db), CLEAN);
    const mapped = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tagtorepositorytag`.execute(t.db);
    assert.equal(mapped.rows[0]?.n, tags.length);
  });

  test("namespace and repository filters select only their tags", async () => {
    const a = await mixedTags(f, "acme", "app", 5);
    const b = await mixedTags(f, "acme", "web", 5);
    const c = await mixedTags(f, "other", "app", 5);
    const { runId, batchId } = await createRunAndBatch(t.db, 0, 1e9);
    const work = { runId, batchId, lo: 0, hi: 1e9, tagIds: null, dryRun: false };
    const byRepo = await processBatch(
      { ...work, filters: { repository: "acme/web" } },
      batchDeps(t.db, signer),
      () => Promise.resolve(true),
    );
    assert.ok(!("preempted" in byRepo));
    assert.deepEqual(
      byRepo.results.map((r) => r.repositoryTagId),
      b,
    );
    const byNamespace = await processBatch(
      { ...work, filters: { namespace: "acme" } },
      batchDeps(t.db, signer),
      () => Promise.resolve(true),
    );
    assert.ok(!("preempted" in byNamespace));
    assert.deepEqual(
      byNamespace.results.map((r) => r.repositoryTagId),
      [...a, ...b],
    );
    assert.equal(byNamespace.counts.skipped, b.length);
    const mapped = await t.db.selectFrom("tagtorepositorytag").select("repository_tag_id").execute();
    assert.ok(mapped.every((m) => !c.includes(m.repository_tag_id)));
  });

  test("dry run writes nothing and predicts the rows of the real run", async () => {
    await mixedTags(f, "acme", "app", 15);
    const before = await newSideCounts(t.db);
    const dry = await runBatch(t.db, signer, { lo: 0, hi: 1e9 }, { dryRun: true });
    assert.deepEqual(await newSideCounts(t.db), before);
    assert.ok(dry.wouldWrite);
    const real = await runBatch(t.db, signer, { lo: 0, hi: 1e9 });
    assert.deepEqual(dry.counts, real.counts);
    assert.deepEqual(dry.wouldWrite, real.rowsByTable);
  });

  test("the query count does not grow with the batch size", async () => {
    await mixedTags(f, "small", "app", 10);
    const smallIds = (await t.db.selectFrom("repositorytag").select("id").execute()).map((r) => r.id);
    await mixedTags(f, "large", "app", 200);
    // The enum ids are read once per database handle; warm that cache so both batches count alike.
    await runBatch(t.db, signer, { lo: 0, hi: 0 }, { dryRun: true });
    const small = await runBatch(t.db, signer, { lo: 0, hi: Math.max(...smallIds) });
    const large = await runBatch(t.db, signer, { lo: Math.max(...smallIds) + 1, hi: 1e9 });
    assert.equal(small.results.length, 10);
    assert.equal(large.results.length, 200);
    assert.equal(large.queries, small.queries);
    // 37 today: the manifest and tagmanifest writes take four statements each (ids, savepoint, COPY,
    // release) and manifestblob three; a taken key adds the scratch-table path's three.
    assert.ok(small.queries <= 38, `queries per batch: ${small.queries}`);
  });

  test("a tag whose planning throws fails alone; the rest commits", async () => {
    const tags = await mixedTags(f, "acme", "app", 10);
    const explode = tags[0] as number;
    await t.db.updateTable("repositorytag").set({ name: "explode" }).where("id", "=", explode).execute();
    const refuse = (payload: string) => {
      if (payload.includes('"tag": "explode"')) throw new Error("signer refused this payload");
    };
    // Both ways a signer is asked: the JWS input whole, or its parts (the thread pool's signJws).
    const exploding = {
      ...signer,
      sign: (input: Uint8Array) => {
        refuse(Buffer.from(Buffer.from(input).toString().split(".")[1] ?? "", "base64url").toString());
        return signer.sign(input);
      },
      signJws: (protectedB64: string, payload: Uint8Array) => {
        refuse(Buffer.from(payload).toString());
        const signed = signer.signJws?.(protectedB64, payload);
        if (signed === undefined) throw new Error("the thread pool signs JWS parts itself");
        return signed;
      },
    };
    const result = await runBatch(t.db, exploding, { lo: 0, hi: 1e9 });
    const failed = result.results.filter((r) => r.outcome === "failed");
    assert.deepEqual(
      failed.map((r) => [r.repositoryTagId, r.detail]),
      [[explode, "signer refused this payload"]],
    );
    const mapped = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tagtorepositorytag`.execute(t.db);
    assert.equal(mapped.rows[0]?.n, tags.length - 1);
    const outcome = await t.db
      .selectFrom("backfill.tag_outcome")
      .selectAll()
      .where("repository_tag_id", "=", explode)
      .executeTakeFirstOrThrow();
    assert.equal(outcome.outcome, "failed");
  });

  test("a write that fails for one tag is isolated by splitting; the rest commits", async () => {
    const tags = await mixedTags(f, "acme", "app", 16);
    const bad = tags[5] as number; // a generated manifest: its tag manifest is ours to roll back
    await t.db.updateTable("repositorytag").set({ name: "explode-on-write" }).where("id", "=", bad).execute();
    await sql`CREATE FUNCTION refuse_tag() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'explode-on-write' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$`.execute(
      t.db,
    );
    await sql`CREATE TRIGGER refuse_tag BEFORE INSERT ON tag FOR EACH ROW EXECUTE FUNCTION refuse_tag()`.execute(
      t.db,
    );
    const result = await runBatch(t.db, signer, { lo: 0, hi: 1e9 });
    const failed = result.results.filter((r) => r.outcome === "failed");
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.repositoryTagId, bad);
    assert.match(failed[0]?.detail ?? "", /refused by test trigger/);
    const mapped = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tagtorepositorytag`.execute(t.db);
    assert.equal(mapped.rows[0]?.n, tags.length - 1);
    const problems = await integrityProblems(t.db);
    assert.deepEqual(problems, { ...CLEAN, unmappedCandidate: 1 }, "the failed tag left no rows behind");
  });
});
