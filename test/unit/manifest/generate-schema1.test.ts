import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSchema1, type GenerateInput } from "../../../src/manifest/generate-schema1.js";
import { createLayerCache } from "../../../src/manifest/layer-cache.js";
import { MEDIA_TYPES } from "../../../src/manifest/media-types.js";
import { parseSchema1 } from "../../../src/manifest/parse-schema1.js";
import { pullCheck } from "../../../src/manifest/pull-check.js";
import { schema1Digest } from "../../../src/manifest/schema1-digest.js";
import { createSigner } from "../../../src/manifest/signer.js";
import { verifySchema1Signatures } from "../../../src/manifest/verify-schema1.js";
import { ecKey, rsaKey } from "./test-keys.js";
import { V1_VECTOR } from "./v1-vector.js";
import { decodeB64, loadSchema1Vectors, type VectorCase } from "./vectors.js";

const ID_PROBLEMS = new Set(["invalid_id", "broken_chain", "root_has_parent", "duplicate_id"]);
const TIME = new Date("2020-01-02T03:04:05.678Z");

function inputOf(c: VectorCase, overrides: Partial<GenerateInput> = {}): GenerateInput {
  return {
    namespace: c.namespace,
    repository: c.repository,
    tag: c.tag,
    libraryNamespace: "library",
    layers: c.layers_leaf_first.map((l) => ({ blobSum: l.digest, v1Compatibility: l.v1_json })),
    existingImages: new Map(Object.entries(c.images_map)),
    rewriteIds: false,
    maxBytes: 3_145_728,
    ...overrides,
  };
}

function okOf(result: Awaited<ReturnType<typeof generateSchema1>>) {
  assert.ok(result.ok, result.ok ? "" : `${result.reason}: ${result.message}`);
  return result;
}

describe("generateSchema1 over every vector", () => {
  const signer = createSigner(rsaKey());
  for (const { input, expected } of loadSchema1Vectors()) {
    it(`${input.name}: unsigned, stripped, signed round trip, rewritten and pullable`, async () => {
      const unsigned = okOf(await generateSchema1(inputOf(input)));
      assert.equal(unsigned.bytes, decodeB64(expected.unsigned.bytes_b64));
      assert.equal(unsigned.digest, expected.unsigned.digest);
      assert.equal(unsigned.mediaType, MEDIA_TYPES.schema1);

      const stripped = await generateSchema1(inputOf(input, { stripMetadata: true }));
      if ("error" in expected.stripped) {
        assert.deepEqual(stripped.ok ? "built" : stripped.reason, "invalid_metadata");
      } else {
        assert.equal(okOf(stripped).digest, expected.stripped.digest);
        assert.equal(okOf(stripped).stripped, true);
      }

      // build -> sign -> parse -> verify gives the unsigned payload's digest.
      const signed = okOf(await generateSchema1(inputOf(input, { signer, signingTime: TIME })));
      assert.equal(signed.digest, expected.unsigned.digest);
      assert.equal(schema1Digest(signed.bytes), expected.unsigned.digest);
      const rewritten = await generateSchema1(
        inputOf(input, { rewriteIds: true, signer, signingTime: TIME }),
      );
      if ("error" in expected.rewritten) {
        // Layers without an id: Quay's parser (and ours) refuse the manifest, and the rewrite refuses too.
        assert.equal(rewritten.ok ? "built" : rewritten.reason, "invalid_metadata");
        assert.ok(signed.problems.some((p) => p.code === "invalid_id"));
        return;
      }
      const parsed = parseSchema1(signed.bytes);
      assert.equal(parsed.payload.toString("utf8"), unsigned.bytes);
      assert.equal((await verifySchema1Signatures(parsed)).status, "valid");

      const result = okOf(rewritten);
      assert.deepEqual(
        result.legacyImages.map((i) => i.id),
        expected.rewritten.map((i) => i.image_id),
      );
      // The rewrite fixes ids and links; other data (a float Size, say) stays as stored and is reported.
      const idProblems = (problems: { code: string }[]) => problems.filter((p) => ID_PROBLEMS.has(p.code));
      assert.deepEqual(idProblems(result.problems), [], "a rewritten manifest has no id or chain problem");
      assert.deepEqual(pullCheck(parseSchema1(result.bytes)), result.problems);
      assert.deepEqual(
        result.problems.map((p) => p.code).filter((c) => c !== "invalid_size"),
        [],
      );
    });
  }
});

describe("generateSchema1 on the V1 vector", () => {
  const base = {
    namespace: V1_VECTOR.namespace,
    repository: V1_VECTOR.repository,
    tag: V1_VECTOR.tag,
    libraryNamespace: "library",
    layers: [...V1_VECTOR.layers],
    rewriteIds: false,
    maxBytes: 3_145_728,
  };

  it("matches current Quay, and the stripped row when forced", async () => {
    assert.equal(okOf(await generateSchema1(base)).digest, V1_VECTOR.current.digest);
    const stripped = okOf(await generateSchema1({ ...base, stripMetadata: true }));
    assert.equal(stripped.digest, V1_VECTOR.currentStripped.digest);
    assert.equal(stripped.size, V1_VECTOR.currentStripped.size);
  });

  it("strips when the signed manifest is over the limit, and refuses when still over", async () => {
    const signer = createSigner(ecKey());
    // A base layer with bulky config, so that stripping it makes the manifest smaller.
    const bulky = V1_VECTOR.layers[1].v1Compatibility.replace(
      "{",
      `{"config":{"Env":["${"X".repeat(5000)}"]},`,
    );
    const layers = [V1_VECTOR.layers[0], { ...V1_VECTOR.layers[1], v1Compatibility: bulky }];
    const input = { ...base, layers, signer, signingTime: TIME };
    const full = okOf(await generateSchema1(input));
    const atLimit = okOf(await generateSchema1({ ...input, maxBytes: full.size }));
    assert.equal(atLimit.stripped, false, "the limit is strictly greater");
    const over = okOf(await generateSchema1({ ...input, maxBytes: full.size - 1 }));
    assert.equal(over.stripped, true);
    assert.ok(over.size < 2000);
    assert.equal(over.digest, okOf(await generateSchema1({ ...input, stripMetadata: true })).digest);
    assert.equal((await verifySchema1Signatures(parseSchema1(over.bytes))).status, "valid");
    const tooSmall = await generateSchema1({ ...input, maxBytes: 500 });
    assert.deepEqual(tooSmall.ok ? "built" : tooSmall.reason, "manifest_too_large");
  });

  it("strips, without building the full manifest, layers whose escaped text alone is over the limit", async () => {
    const signer = createSigner(ecKey());
    // 3,000 characters stored, 18,000 once escaped: the stored length alone does not tell.
    const bulky = V1_VECTOR.layers[1].v1Compatibility.replace(
      "{",
      `{"config":{"Env":["${"é".repeat(3000)}"]},`,
    );
    const layers = [V1_VECTOR.layers[0], { ...V1_VECTOR.layers[1], v1Compatibility: bulky }];
    const input = { ...base, layers, signer, signingTime: TIME, maxBytes: 12_000 };
    const forced = okOf(await generateSchema1({ ...input, stripMetadata: true }));
    for (const cache of [undefined, createLayerCache()]) {
      const over = okOf(await generateSchema1({ ...input, cache }));
      assert.equal(over.stripped, true);
      assert.equal(over.digest, forced.digest);
    }
    const fits = okOf(await generateSchema1({ ...input, maxBytes: 30_000 }));
    assert.equal(fits.stripped, false);
  });

  it("rewrites both ids when the repository holds the base id over another blob", async () => {
    const result = okOf(
      await generateSchema1({ ...base, rewriteIds: true, existingImages: V1_VECTOR.rewriteExisting }),
    );
    const [baseImage, leafImage] = result.legacyImages;
    assert.equal(baseImage?.id, V1_VECTOR.rewrittenBaseId);
    assert.equal(leafImage?.id, V1_VECTOR.rewrittenLeafId);
    assert.equal(leafImage?.parent, V1_VECTOR.rewrittenBaseId);
    assert.equal(leafImage?.originalId, V1_VECTOR.leafId);
    assert.match(leafImage?.v1Compatibility ?? "", new RegExp(`"Image":"${V1_VECTOR.rewrittenBaseId}"`));
    assert.doesNotMatch(leafImage?.v1Compatibility ?? "", /"image"/);
  });

  it("is deterministic with a fixed signing time", async () => {
    const signer = createSigner(rsaKey());
    const a = okOf(await generateSchema1({ ...base, signer, signingTime: TIME }));
    const b = okOf(await generateSchema1({ ...base, signer, signingTime: TIME }));
    assert.equal(a.bytes, b.bytes);
    assert.match(a.bytes, /"alg": "RS256"/);
    assert.equal(a.mediaType, MEDIA_TYPES.schema1Signed);
  });

  it("reports a refusal instead of throwing", async () => {
    assert.equal((await generateSchema1({ ...base, layers: [] })).ok, false);
    const noTime = await generateSchema1({ ...base, signer: createSigner(ecKey()) });
    assert.equal(noTime.ok ? "built" : noTime.reason, "invalid_input");
    const notObject = await generateSchema1({
      ...base,
      rewriteIds: true,
      layers: [{ blobSum: "sha256:x", v1Compatibility: "[]" }],
    });
    assert.equal(notObject.ok ? "built" : notObject.reason, "invalid_metadata");
  });

  it("without rewriting, builds what Quay builds and lists the pull problems", async () => {
    const result = okOf(
      await generateSchema1({ ...base, layers: [{ blobSum: "tarsum+sha256:ab", v1Compatibility: null }] }),
    );
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ["unsigned", "invalid_blob_sum", "invalid_id"],
    );
    assert.equal(result.legacyImages[0]?.id, "");
  });
});
