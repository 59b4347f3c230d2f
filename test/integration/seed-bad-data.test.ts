import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { TagOutcomeKind } from "../../src/backfill/outcome-kinds.js";
import { writeSeedRegistry } from "../../src/db/write-seed-registry.js";
import {
  expectedSeedDefects,
  planSeedTags,
  seedOptions,
  type DefectClass,
  type SeedOptions,
} from "../../src/seed/index.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { runBatch, testKeyPem } from "./batch-harness.js";

/**
 * The bad rows of issue 12 (items 1–3) as seeded defect classes, backfilled in batches of 500 next to
 * every other class: each defective tag ends with the outcome and reason the one rulebook gives it, no
 * tag of its batch fails, and `backfill verify` exits 0 afterwards (notices only).
 */
const TAGS = 2500;
const BATCH = 500;
const NEW_CLASSES = {
  /** Mapped: an id with a NUL is invalid, so rewritten; it is never sent to PostgreSQL. */
  "v1-nul-id": { outcome: "backfilled", reason: null, rewritten: true },
  "ancestors-out-of-range": { outcome: "backfilled_broken", reason: "invalid_ancestors", rewritten: false },
  "checksum-not-sha256": { outcome: "backfilled", reason: "not_pullable", rewritten: false },
  "checksum-not-digest": { outcome: "backfilled_broken", reason: "invalid_checksum", rewritten: false },
  "v1-unpullable": { outcome: "backfilled", reason: "not_pullable", rewritten: false },
} as const satisfies Partial<
  Record<DefectClass, { outcome: TagOutcomeKind; reason: string | null; rewritten: boolean }>
>;
type NewClass = keyof typeof NEW_CLASSES;

let testDb: TestDatabase;
let signer: BatchSigner;
let options: SeedOptions;

function isNewClass(defect: DefectClass): defect is NewClass {
  return defect in NEW_CLASSES;
}

function verifyCli(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(REPO_ROOT, "src/cli/main.ts"), "verify", "--json"],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: testDb.url, LOG_LEVEL: "silent" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("seeded bad data of issue 12: per-tag outcomes, innocent batches, verify passes", () => {
  before(async () => {
    testDb = await createTestDatabase("seed_bad_data");
    options = seedOptions({
      tags: TAGS,
      seed: "bad-data",
      rates: Object.fromEntries(Object.keys(NEW_CLASSES).map((defect) => [defect, 0.01])),
    });
    await writeSeedRegistry(testDb.db, options, { reset: false, force: false });
    signer = createSignerPool(testKeyPem());
    const ids = [...planSeedTags(options)].map((tag) => tag.repositoryTagId);
    const lo = Math.min(...ids);
    const hi = Math.max(...ids);
    for (let start = lo; start <= hi; start += BATCH) {
      await runBatch(testDb.db, signer, { lo: start, hi: start + BATCH - 1 });
    }
  });
  after(async () => {
    await signer.close();
    await testDb.drop();
  });

  test("every new class is in the seed, each tag with its outcome and reason", async () => {
    const defects = expectedSeedDefects(options);
    const outcomes = await sql<{
      repository_tag_id: number;
      outcome: TagOutcomeKind;
      reason: string | null;
      rewritten_ids: number;
    }>`SELECT repository_tag_id, outcome, reason, rewritten_ids FROM backfill.tag_outcome`.execute(testDb.db);
    const byId = new Map(outcomes.rows.map((row) => [row.repository_tag_id, row]));
    const seen = new Map<NewClass, number>();
    for (const [tagId, defect] of defects) {
      if (!isNewClass(defect)) continue;
      seen.set(defect, (seen.get(defect) ?? 0) + 1);
      const expected = NEW_CLASSES[defect];
      const row = byId.get(tagId);
      assert.ok(row, `tag ${tagId} (${defect}) has an outcome`);
      assert.deepEqual(
        [row.outcome, row.reason, row.rewritten_ids > 0],
        [expected.outcome, expected.reason, expected.rewritten],
        `tag ${tagId} (${defect})`,
      );
    }
    assert.deepEqual([...seen.keys()].sort(), Object.keys(NEW_CLASSES).sort());
  });

  test("no tag failed and every visible tag is mapped: the defects stayed with their tags", async () => {
    const failed = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM backfill.tag_outcome WHERE outcome = 'failed'`.execute(testDb.db);
    assert.equal(failed.rows[0]?.n, 0);
    const unmapped = await sql<{ id: number }>`
      SELECT rt.id FROM repositorytag rt
       WHERE NOT rt.hidden
         AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id)`.execute(
      testDb.db,
    );
    assert.deepEqual(unmapped.rows, []);
    const batches = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM backfill.batch GROUP BY status`.execute(testDb.db);
    assert.deepEqual(batches.rows, [{ status: "done", n: Math.ceil(TAGS / BATCH) }]);
  });

  test("backfill verify exits 0: what the run accepted are notices", async () => {
    const { code, stdout, stderr } = await verifyCli();
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    const report = JSON.parse(stdout) as { ok: boolean; problems: { code: string; severity: string }[] };
    assert.equal(report.ok, true);
    assert.ok(
      report.problems.some((p) => p.code === "generated_not_pullable" && p.severity === "notice"),
      JSON.stringify(report.problems.map((p) => p.code)),
    );
  });
});
