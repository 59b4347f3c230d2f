import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createVerifySource } from "../../src/db/verify-source.js";
import { runVerify, type VerifyReport } from "../../src/verify/run-verify.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { buildMappedDataset, type MappedDataset } from "./verify-dataset.js";

let testDb: TestDatabase;
let data: MappedDataset;

async function verify(options: { chunkSize?: number; sample?: number } = {}): Promise<VerifyReport> {
  return runVerify(createVerifySource(testDb.db, {}), {
    chunkSize: options.chunkSize ?? 1000,
    ourKeyId: data.signer.kid,
    ...(options.sample === undefined ? {} : { sample: options.sample }),
  });
}

function codes(report: VerifyReport): string[] {
  return report.problems.map((p) => p.code);
}

function problem(report: VerifyReport, code: string) {
  const found = report.problems.find((p) => p.code === code);
  assert.ok(found, `expected a ${code} problem, got ${JSON.stringify(report.problems)}`);
  return found;
}

/** Applies a corruption, verifies, and undoes it, so each case starts from the clean dataset. */
async function corrupted(apply: string, undo: string): Promise<VerifyReport> {
  await sql.raw(apply).execute(testDb.db);
  try {
    return await verify();
  } finally {
    await sql.raw(undo).execute(testDb.db);
  }
}

const rows = () => {
  const latest = data.tags.get("latest");
  assert.ok(latest);
  return latest;
};

describe("backfill verify over a hand-mapped registry", () => {
  before(async () => {
    testDb = await createTestDatabase("verify");
    data = await buildMappedDataset(testDb.db);
  });
  after(async () => {
    await testDb.drop();
  });

  test("a correctly mapped registry is clean", async () => {
    const report = await verify();
    assert.deepEqual(report.problems, []);
    assert.equal(report.failing, false);
    assert.equal(report.checkedTags, 3);
  });

  test("a changed byte of manifest_bytes", async () => {
    const { manifestId, bytes } = rows();
    const changed = bytes.replace('\\"Size\\":12', '\\"Size\\":13');
    assert.ok(changed !== bytes, "the corruption applies");
    const report = await corrupted(
      `UPDATE manifest SET manifest_bytes = '${changed.replaceAll("'", "''")}' WHERE id = ${manifestId}`,
      `UPDATE manifest SET manifest_bytes = '${bytes.replaceAll("'", "''")}' WHERE id = ${manifestId}`,
    );
    assert.equal(report.failing, true);
    const found = problem(report, "manifest_bytes_mismatch");
    assert.equal(found.count, 1);
    assert.equal(found.examples[0]?.repositoryTagId, rows().repositoryTagId);
    assert.equal(found.examples[0]?.tag, "devtable/simple:latest");
    // The payload changed, so the digest no longer matches; the signature no longer covers it either.
    assert.ok(codes(report).includes("manifest_digest_mismatch"));
    assert.ok(codes(report).includes("signature_invalid"));
  });
});
