import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createVerifySource } from "../../src/db/verify-source.js";
import { runVerify, type VerifyReport } from "../../src/verify/run-verify.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { buildMappedDataset, LEAF_ID, type MappedDataset } from "./verify-dataset.js";

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

  test("a wrong manifest digest", async () => {
    const { manifestId, tagManifestId, digest } = rows();
    const wrong = `sha256:${"0".repeat(64)}`;
    const report = await corrupted(
      `UPDATE manifest SET digest = '${wrong}' WHERE id = ${manifestId};
       UPDATE tagmanifest SET digest = '${wrong}' WHERE id = ${tagManifestId}`,
      `UPDATE manifest SET digest = '${digest}' WHERE id = ${manifestId};
       UPDATE tagmanifest SET digest = '${digest}' WHERE id = ${tagManifestId}`,
    );
    assert.deepEqual(codes(report), ["manifest_digest_mismatch"]);
    const example = problem(report, "manifest_digest_mismatch").examples[0];
    assert.equal(example?.repositoryTagId, rows().repositoryTagId);
    assert.equal(example?.detail, `stored ${wrong}, bytes hash to ${digest}`);
  });

  test("a tagmanifest digest that differs from the manifest's", async () => {
    const { tagManifestId, digest } = rows();
    const report = await corrupted(
      `UPDATE tagmanifest SET digest = 'sha256:${"1".repeat(64)}' WHERE id = ${tagManifestId}`,
      `UPDATE tagmanifest SET digest = '${digest}' WHERE id = ${tagManifestId}`,
    );
    assert.deepEqual(codes(report), ["tagmanifest_digest_mismatch"]);
  });

  test("a dropped manifestblob", async () => {
    const { manifestId } = rows();
    const report = await corrupted(
      `DELETE FROM manifestblob WHERE manifest_id = ${manifestId} AND blob_id = ${data.leafStorageId}`,
      `INSERT INTO manifestblob (repository_id, manifest_id, blob_id) VALUES (${data.repositoryId}, ${manifestId}, ${data.leafStorageId})`,
    );
    assert.deepEqual(codes(report), ["blob_missing"]);
    const found = problem(report, "blob_missing");
    assert.equal(found.count, 1);
    assert.equal(found.examples[0]?.tag, "devtable/simple:latest");
    const checksum = await testDb.db
      .selectFrom("imagestorage")
      .select("content_checksum")
      .where("id", "=", data.leafStorageId)
      .executeTakeFirstOrThrow();
    assert.equal(found.examples[0]?.detail, `no manifestblob for ${checksum.content_checksum}`);
  });

  test("a wrong blob added", async () => {
    const { manifestId } = rows();
    const report = await corrupted(
      `INSERT INTO manifestblob (repository_id, manifest_id, blob_id) VALUES (${data.repositoryId}, ${manifestId}, ${data.strayStorageId})`,
      `DELETE FROM manifestblob WHERE manifest_id = ${manifestId} AND blob_id = ${data.strayStorageId}`,
    );
    assert.deepEqual(codes(report), ["blob_unexpected"]);
    assert.match(
      problem(report, "blob_unexpected").examples[0]?.detail ?? "",
      new RegExp(`storage ${data.strayStorageId} `),
    );
  });

  test("a legacy image that is not the chain's leaf", async () => {
    const { manifestId } = rows();
    const report = await corrupted(
      `UPDATE manifestlegacyimage SET image_id = ${data.baseImageId} WHERE manifest_id = ${manifestId}`,
      `UPDATE manifestlegacyimage SET image_id = ${data.leafImageId} WHERE manifest_id = ${manifestId}`,
    );
    assert.deepEqual(codes(report), ["legacy_image_mismatch"]);
    assert.match(
      problem(report, "legacy_image_mismatch").examples[0]?.detail ?? "",
      new RegExp(`leaf is ${LEAF_ID}`),
    );
  });

  test("a missing legacy image", async () => {
    const { manifestId } = rows();
    const report = await corrupted(
      `DELETE FROM manifestlegacyimage WHERE manifest_id = ${manifestId}`,
      `INSERT INTO manifestlegacyimage (repository_id, manifest_id, image_id) VALUES (${data.repositoryId}, ${manifestId}, ${data.leafImageId})`,
    );
    assert.deepEqual(codes(report), ["legacy_image_missing"]);
  });

  test("a changed lifetime_end_ms", async () => {
    const old = data.tags.get("old");
    assert.ok(old);
    const report = await corrupted(
      `UPDATE tag SET lifetime_end_ms = lifetime_end_ms + 1 WHERE id = ${old.tagId}`,
      `UPDATE tag SET lifetime_end_ms = lifetime_end_ms - 1 WHERE id = ${old.tagId}`,
    );
    assert.deepEqual(codes(report), ["tag_mismatch"]);
    const example = problem(report, "tag_mismatch").examples[0];
    assert.equal(example?.repositoryTagId, old.repositoryTagId);
    assert.equal(example?.detail, "lifetime_end_ms 1600000000001, expected 1600000000000");
  });

  test("a deleted tagtorepositorytag leaves an orphan tag and an unmapped repositorytag", async () => {
    const { tagId, repositoryTagId } = rows();
    const report = await corrupted(
      `DELETE FROM tagtorepositorytag WHERE tag_id = ${tagId}`,
      `INSERT INTO tagtorepositorytag (repository_id, tag_id, repository_tag_id) VALUES (${data.repositoryId}, ${tagId}, ${repositoryTagId})`,
    );
    assert.deepEqual(codes(report), ["unmapped", "orphan_tag"]);
    assert.equal(report.checkedTags, 2);
    const orphan = problem(report, "orphan_tag");
    assert.equal(orphan.count, 1);
    assert.equal(orphan.examples[0]?.repositoryTagId, repositoryTagId);
    assert.match(orphan.examples[0]?.detail ?? "", new RegExp(`^tag ${tagId} `));
  });

  test("a non-hidden repositorytag without a mapping", async () => {
    const report = await corrupted(
      `INSERT INTO repositorytag (name, image_id, repository_id, lifetime_start_ts) VALUES ('new', ${data.leafImageId}, ${data.repositoryId}, 5)`,
      `DELETE FROM repositorytag WHERE name = 'new'`,
    );
    assert.deepEqual(codes(report), ["unmapped"]);
    const found = problem(report, "unmapped");
    assert.equal(found.count, 1);
    assert.equal(found.examples[0]?.tag, "devtable/simple:new");
  });

  test("a bad signature", async () => {
    const { manifestId, tagManifestId, bytes } = rows();
    const match = /"signature": "(.)/.exec(bytes);
    assert.ok(match?.[1]);
    const flipped = match[1] === "A" ? "B" : "A";
    const changed = bytes.replace(match[0], `"signature": "${flipped}`);
    const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
    const report = await corrupted(
      `UPDATE manifest SET manifest_bytes = ${quote(changed)} WHERE id = ${manifestId};
       UPDATE tagmanifest SET json_data = ${quote(changed)} WHERE id = ${tagManifestId}`,
      `UPDATE manifest SET manifest_bytes = ${quote(bytes)} WHERE id = ${manifestId};
       UPDATE tagmanifest SET json_data = ${quote(bytes)} WHERE id = ${tagManifestId}`,
    );
    // The digest covers the payload only, so it still matches: the signature is the one thing wrong.
    assert.deepEqual(codes(report), ["signature_invalid"]);
    assert.equal(problem(report, "signature_invalid").examples[0]?.repositoryTagId, rows().repositoryTagId);
  });

  test("a media type that does not match the signatures", async () => {
    const { manifestId } = rows();
    const report = await corrupted(
      `UPDATE manifest SET media_type_id = (SELECT id FROM mediatype WHERE name = 'application/vnd.docker.distribution.manifest.v1+json') WHERE id = ${manifestId}`,
      `UPDATE manifest SET media_type_id = (SELECT id FROM mediatype WHERE name = 'application/vnd.docker.distribution.manifest.v1+prettyjws') WHERE id = ${manifestId}`,
    );
    assert.deepEqual(codes(report), ["media_type_mismatch"]);
  });

  test("a placeholder whose mapping is not marked broken", async () => {
    const { mappingId, repositoryTagId } = data.brokenTag;
    const report = await corrupted(
      `UPDATE tagmanifesttomanifest SET broken = false WHERE id = ${mappingId}`,
      `UPDATE tagmanifesttomanifest SET broken = true WHERE id = ${mappingId}`,
    );
    assert.deepEqual(codes(report), ["placeholder_invalid"]);
    const example = problem(report, "placeholder_invalid").examples[0];
    assert.equal(example?.repositoryTagId, repositoryTagId);
    assert.equal(example?.detail, "tagmanifesttomanifest.broken is false");
  });

  test("a manifest nothing points at", async () => {
    const report = await corrupted(
      `INSERT INTO manifest (repository_id, digest, media_type_id, manifest_bytes)
       VALUES (${data.repositoryId}, 'sha256:${"2".repeat(64)}', 1, '{}')`,
      `DELETE FROM manifest WHERE digest = 'sha256:${"2".repeat(64)}'`,
    );
    assert.deepEqual(codes(report), ["orphan_manifest"]);
    assert.equal(
      problem(report, "orphan_manifest").examples[0]?.tag,
      `devtable/simple@sha256:${"2".repeat(64)}`,
    );
  });

  test("mapping rows that cross repositories", async () => {
    const { manifestId } = rows();
    const other = await testDb.db
      .insertInto("repository")
      .values({ namespace_user_id: null, name: "other", visibility_id: 1, badge_token: "y", kind_id: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const legacy = await corrupted(
      `UPDATE manifestlegacyimage SET repository_id = ${other.id} WHERE manifest_id = ${manifestId}`,
      `UPDATE manifestlegacyimage SET repository_id = ${data.repositoryId} WHERE manifest_id = ${manifestId}`,
    );
    assert.deepEqual(codes(legacy), ["dangling_legacy_image"]);
    assert.match(
      problem(legacy, "dangling_legacy_image").examples[0]?.detail ?? "",
      /: repository_id \d+, manifest in \d+/,
    );
    const blobs = await corrupted(
      `UPDATE manifestblob SET repository_id = ${other.id} WHERE manifest_id = ${manifestId} AND blob_id = ${data.leafStorageId}`,
      `UPDATE manifestblob SET repository_id = ${data.repositoryId} WHERE manifest_id = ${manifestId}`,
    );
    assert.deepEqual(codes(blobs), ["blob_unexpected", "dangling_manifestblob"]);
  });
});
