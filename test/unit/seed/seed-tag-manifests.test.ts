import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, test } from "node:test";
import {
  isLibtrustKeyId,
  parseSchema1,
  schema1Digest,
  verifySchema1Signatures,
} from "../../../src/manifest/index.js";
import { planSeedTags, seedOptions, seedSigner, type SeedChunk } from "../../../src/seed/index.js";
import { DatasetIndex, generateAll } from "./seed-dataset.js";

describe("seeded tagmanifests", () => {
  const input = { tags: 4000, seed: "manifests", tagManifestRate: 0.1 };
  let data: SeedChunk;
  let kinds: Map<number, string | null>;
  before(async () => {
    data = await generateAll(input);
    kinds = new Map([...planSeedTags(seedOptions(input))].map((t) => [t.repositoryTagId, t.tagManifest]));
  });

  test("signed ones verify with a client EC key, name their chain, and carry the digest of their payload", async () => {
    const index = new DatasetIndex(data);
    const tags = new Map(data.tags.map((t) => [t.id, t]));
    const signed = data.tagManifests.filter((m) => kinds.get(m.tagId) === "signed");
    assert.ok(signed.length > 100, `${signed.length} signed`);
    for (const row of signed) {
      const manifest = parseSchema1(row.jsonData);
      const verdict = await verifySchema1Signatures(manifest);
      assert.equal(verdict.status, "valid");
      assert.equal(verdict.signatures[0]?.alg, "ES256");
      assert.ok(isLibtrustKeyId(verdict.signatures[0]?.kid ?? ""));
      assert.equal(schema1Digest(row.jsonData), row.digest);
      const tag = tags.get(row.tagId);
      assert.ok(tag);
      const chain = index.chain(tag.imageId).layers;
      assert.deepEqual(
        manifest.layers.map((l) => l.blobSum),
        chain.map((l) => index.checksum(l)),
      );
      assert.equal(manifest.tag, tag.name);
    }
  });

  test("unsigned ones are the bare payload; corrupt ones do not parse; labels hang off existing rows", () => {
    const unsigned = data.tagManifests.filter((m) => kinds.get(m.tagId) === "unsigned");
    const corrupt = data.tagManifests.filter((m) => kinds.get(m.tagId) === "corrupt");
    assert.ok(unsigned.length > 30 && corrupt.length > 10);
    for (const row of unsigned) {
      assert.equal(row.digest, `sha256:${createHash("sha256").update(row.jsonData).digest("hex")}`);
      assert.equal(parseSchema1(row.jsonData).signatures.length, 0);
    }
    for (const row of corrupt) assert.throws(() => parseSchema1(row.jsonData), `tagmanifest ${row.id}`);
    const manifestIds = new Set(data.tagManifests.map((m) => m.id));
    const labelIds = new Set(data.labels.map((l) => l.id));
    assert.ok(data.tagManifestLabels.length > 0);
    for (const link of data.tagManifestLabels) {
      assert.ok(manifestIds.has(link.annotatedId) && labelIds.has(link.labelId));
    }
    assert.ok(data.labels.every((l) => l.mediaType === "text/plain" && l.sourceType === "manifest"));
  });

  test("the signing key and its signatures are deterministic per seed", () => {
    const input = Buffer.from("payload");
    const a = seedSigner("k");
    const b = seedSigner("k");
    assert.equal(a.kid, b.kid);
    assert.deepEqual(Buffer.from(a.sign(input) as Uint8Array), Buffer.from(b.sign(input) as Uint8Array));
    assert.notEqual(seedSigner("other").kid, a.kid);
  });
});
