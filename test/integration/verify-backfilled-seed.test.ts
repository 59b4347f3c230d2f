import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import type { TagOutcomeKind } from "../../src/backfill/outcome-kinds.js";
import type { Database } from "../../src/db/tables.js";
import type { VerifyScope } from "../../src/db/verify-scope.js";
import { createVerifySource } from "../../src/db/verify-source.js";
import { writeSeedRegistry } from "../../src/db/write-seed-registry.js";
import { loadSigner } from "../../src/manifest/signer.js";
import { seedOptions } from "../../src/seed/index.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { runVerify, type VerifyReport } from "../../src/verify/run-verify.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { runBatch, testKeyPem } from "./batch-harness.js";

/**
 * Issue 5's gate, end to end: a seeded registry with every defect class at its default rate, backfilled by
 * the real batch core, passes verify; each corruption injected into the finished run is then caught.
 */
const TAGS = 3000;
const BATCHES = 4;

let testDb: TestDatabase;
let signer: BatchSigner;
const ourKeyId = loadSigner(testKeyPem()).kid;
/** repositorytag ids that had a tagmanifest before the run (stored manifests). */
let storedBefore: Set<number>;

class Rollback extends Error {}

async function verify(db: Kysely<Database>, scope: VerifyScope = {}): Promise<VerifyReport> {
  return runVerify(createVerifySource(db, scope), { chunkSize: 400, ourKeyId });
}

/**
 * Applies a corruption inside a transaction, verifies the repository of `repositoryTagId` through it (the
 * whole registry was checked clean already), and rolls it back.
 */
async function corrupted(statements: string, repositoryTagId: number): Promise<VerifyReport> {
  const { repository_id: repositoryId } = await testDb.db
    .selectFrom("repositorytag")
    .select("repository_id")
    .where("id", "=", repositoryTagId)
    .executeTakeFirstOrThrow();
  let report: VerifyReport | undefined;
  try {
    await testDb.db.transaction().execute(async (trx) => {
      await sql.raw(statements).execute(trx);
      report = await verify(trx, { repositoryId });
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  assert.ok(report);
  return report;
}

/** The first repositorytag id with this outcome (and reason) that had (or had not) a stored manifest. */
async function pick(where: {
  outcome: TagOutcomeKind;
  reason: string | null;
  stored: boolean;
}): Promise<number> {
  const rows = await testDb.db
    .selectFrom("backfill.tag_outcome")
    .select("repository_tag_id")
    .where("outcome", "=", where.outcome)
    .where("reason", where.reason === null ? "is" : "=", where.reason)
    .orderBy("repository_tag_id")
    .execute();
  const id = rows.map((r) => r.repository_tag_id).find((id) => storedBefore.has(id) === where.stored);
  assert.ok(id !== undefined, `the seed has a tag with ${JSON.stringify(where)}`);
  return id;
}

function expectCaught(report: VerifyReport, code: string, repositoryTagId?: number): void {
  const found = report.problems.find((p) => p.code === code);
  assert.ok(found, `expected ${code}, got ${report.problems.map((p) => p.code).join(", ")}`);
  assert.equal(found.severity, "failing");
  assert.equal(report.failing, true);
  if (repositoryTagId !== undefined) {
    assert.ok(
      found.examples.some((e) => e.repositoryTagId === repositoryTagId),
      `${code} names tag ${repositoryTagId}: ${JSON.stringify(found.examples)}`,
    );
  }
}

describe("verify after a real backfill of a seeded registry", () => {
  before(async () => {
    testDb = await createTestDatabase("verify-seed");
    await writeSeedRegistry(testDb.db, seedOptions({ tags: TAGS, seed: "verify-gate" }), {
      reset: false,
      force: false,
    });
    const stored = await testDb.db.selectFrom("tagmanifest").select("tag_id").execute();
    storedBefore = new Set(stored.map((row) => row.tag_id));
    signer = createSignerPool(testKeyPem());
    const { lo, hi } = await testDb.db
      .selectFrom("repositorytag")
      .select((eb) => [eb.fn.min("id").as("lo"), eb.fn.max("id").as("hi")])
      .executeTakeFirstOrThrow();
    const first = Number(lo);
    const size = Math.ceil((Number(hi) - first + 1) / BATCHES);
    for (let start = first; start <= Number(hi); start += size) {
      const result = await runBatch(testDb.db, signer, { lo: start, hi: start + size - 1 });
      assert.equal(
        result.counts.failed,
        0,
        JSON.stringify(result.results.filter((r) => r.outcome === "failed")),
      );
    }
  });
  after(async () => {
    await signer.close();
    await testDb.drop();
  });

  test("the finished run passes: every non-hidden tag checked, only notices", async () => {
    const report = await verify(testDb.db);
    const failing = report.problems.filter((p) => p.severity === "failing");
    assert.deepEqual(failing, []);
    assert.equal(report.failing, false);
    const mapped = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tagtorepositorytag`.execute(
      testDb.db,
    );
    assert.equal(report.checkedTags, mapped.rows[0]?.n);
    const visible = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM repositorytag WHERE NOT hidden`.execute(testDb.db);
    assert.equal(report.checkedTags, visible.rows[0]?.n);
    // The shapes the disagreements were about are in this dataset, so the pass above covers them.
    await pick({ outcome: "backfilled_broken", reason: "unparseable_stored_manifest", stored: true });
    await pick({ outcome: "backfilled", reason: "stored_not_pullable", stored: true });
    assert.ok(report.problems.some((p) => p.code === "stored_not_pullable"));
  });

  test("a placeholder over a stored manifest that is readable after all", async () => {
    const id = await pick({
      outcome: "backfilled_broken",
      reason: "unparseable_stored_manifest",
      stored: true,
    });
    const donor = await pick({ outcome: "backfilled", reason: null, stored: false });
    const report = await corrupted(
      `UPDATE tagmanifest SET json_data = (SELECT json_data FROM tagmanifest WHERE tag_id = ${donor})
       WHERE tag_id = ${id}`,
      id,
    );
    expectCaught(report, "placeholder_hides_manifest", id);
  });

  test("manifest bytes replaced by another manifest's (another digest)", async () => {
    const id = await pick({ outcome: "backfilled", reason: null, stored: false });
    const donor = await pick({ outcome: "backfilled", reason: "stored_not_pullable", stored: true });
    const report = await corrupted(
      `UPDATE tagmanifest SET json_data = (SELECT json_data FROM tagmanifest WHERE tag_id = ${donor})
       WHERE tag_id = ${id}`,
      id,
    );
    expectCaught(report, "manifest_bytes_mismatch", id);
  });

  test("a generated manifest's bytes changed (digest and signature no longer match)", async () => {
    const id = await pick({ outcome: "backfilled", reason: null, stored: false });
    const report = await corrupted(
      `UPDATE manifest SET manifest_bytes = replace(manifest_bytes, '"architecture": "amd64"', '"architecture": "arm64"')
       WHERE id = (SELECT tmm.manifest_id FROM tagmanifesttomanifest tmm
                   JOIN tagmanifest tm ON tm.id = tmm.tag_manifest_id WHERE tm.tag_id = ${id})`,
      id,
    );
    expectCaught(report, "manifest_digest_mismatch", id);
    expectCaught(report, "signature_invalid", id);
  });

  test("a placeholder mapping not marked broken", async () => {
    const id = await pick({ outcome: "backfilled_broken", reason: "missing_parent", stored: false });
    const report = await corrupted(
      `UPDATE tagmanifesttomanifest SET broken = false
       WHERE tag_manifest_id = (SELECT id FROM tagmanifest WHERE tag_id = ${id})`,
      id,
    );
    expectCaught(report, "placeholder_invalid", id);
  });

  test("a manifestblob and a legacy image deleted", async () => {
    const id = await pick({ outcome: "backfilled", reason: null, stored: false });
    const manifest = `(SELECT tmm.manifest_id FROM tagmanifesttomanifest tmm
                       JOIN tagmanifest tm ON tm.id = tmm.tag_manifest_id WHERE tm.tag_id = ${id})`;
    const report = await corrupted(
      `DELETE FROM manifestblob WHERE id = (SELECT min(id) FROM manifestblob WHERE manifest_id = ${manifest});
       DELETE FROM manifestlegacyimage WHERE manifest_id = ${manifest}`,
      id,
    );
    expectCaught(report, "blob_missing", id);
    expectCaught(report, "legacy_image_missing", id);
  });

  test("a changed tag lifetime", async () => {
    const id = await pick({ outcome: "backfilled", reason: "tarsum_checksum", stored: false });
    const report = await corrupted(
      `UPDATE tag SET lifetime_start_ms = lifetime_start_ms + 1
       WHERE id = (SELECT tag_id FROM tagtorepositorytag WHERE repository_tag_id = ${id})`,
      id,
    );
    expectCaught(report, "tag_mismatch", id);
  });

  test("a deleted tag mapping: the tag is unmapped and its tag row an orphan", async () => {
    const id = await pick({ outcome: "backfilled", reason: null, stored: true });
    const report = await corrupted(`DELETE FROM tagtorepositorytag WHERE repository_tag_id = ${id}`, id);
    expectCaught(report, "unmapped", id);
    expectCaught(report, "orphan_tag");
  });

  test("the rollbacks left the run as it was", async () => {
    const report = await verify(testDb.db);
    assert.equal(report.failing, false);
  });
});
