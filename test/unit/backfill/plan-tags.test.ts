import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chainLayers, planGeneratedTag } from "../../../src/backfill/plan-generated-tag.js";
import { planStoredTag, readStoredManifest } from "../../../src/backfill/plan-stored-tag.js";
import { brokenReasonOfGeneration } from "../../../src/backfill/reasons.js";
import { resolveChain } from "../../../src/backfill/resolve-chain.js";
import type { GenerateResult } from "../../../src/manifest/generate-schema1.js";
import { buildSchema1 } from "../../../src/manifest/build-schema1.js";
import { MEDIA_TYPES } from "../../../src/manifest/media-types.js";
import { chainImages, tag } from "./planner-data.js";

const sum = (id: number) => `sha256:${`${id}`.padStart(64, "a")}`;
const unsigned = (sums: string[]) =>
  buildSchema1({
    name: "devtable/simple",
    tag: "latest",
    layers: sums.map((blobSum, i) => ({
      blobSum,
      v1Compatibility: JSON.stringify({ id: `${i}`.padStart(64, "0") }),
    })),
  });

describe("readStoredManifest", () => {
  test("unsigned schema1: its digest, v1+json, distinct blobs", () => {
    const json = unsigned([sum(3), sum(2), sum(3)]);
    const r = readStoredManifest(json);
    assert.ok(r.ok);
    assert.equal(r.mediaType, MEDIA_TYPES.schema1);
    assert.deepEqual(r.blobSums, [sum(3), sum(2)]);
    assert.match(r.digest, /^sha256:[0-9a-f]{64}$/);
  });
  test("not a manifest", () => {
    for (const json of ["", "{", "[]", "{}", '{"schemaVersion": 1, "fsLayers": 1}']) {
      assert.equal(readStoredManifest(json).ok, false, json);
    }
  });
});

describe("planStoredTag", () => {
  const stored = (json: string) => {
    const tagManifest = { id: 5, digest: "sha256:old", json };
    return { ...tag({ tagManifest }), tagManifest };
  };

  test("bytes kept, blobs from the chain then the repository", () => {
    const json = unsigned([sum(3), sum(9)]);
    const t = stored(json);
    const plan = planStoredTag(
      t,
      resolveChain(1, 3, chainImages()),
      readStoredManifest(json),
      new Map([[sum(9), 900]]),
      [],
    );
    assert.equal(plan.broken, false);
    assert.equal(plan.reason, "stored_not_pullable", "kept as stored although unsigned");
    assert.match(plan.detail ?? "", /unsigned/);
    assert.equal(plan.tagManifest.kind, "existing");
    assert.ok(plan.manifest.kind === "plan");
    assert.equal(plan.manifest.bytes, json);
    assert.deepEqual(plan.manifest.blobIds.sort(), [103, 900]);
    assert.deepEqual(plan.manifest.legacyImage, { kind: "image", imageId: 3, ancestors: "/1/2/" });
  });

  test("a blob found nowhere: broken, missing_blob, bytes still kept", () => {
    const json = unsigned([sum(3), sum(9)]);
    const plan = planStoredTag(
      stored(json),
      resolveChain(1, 3, chainImages()),
      readStoredManifest(json),
      new Map(),
      [],
    );
    assert.equal(plan.broken, true);
    assert.equal(plan.reason, "missing_blob");
    assert.ok(plan.manifest.kind === "plan" && plan.manifest.bytes === json);
  });

  test("a chain that cannot be loaded marks it broken (Quay's is_broken)", () => {
    const images = chainImages();
    images.delete(1);
    const json = unsigned([sum(3)]);
    const plan = planStoredTag(
      stored(json),
      resolveChain(1, 3, images),
      readStoredManifest(json),
      new Map(),
      [],
    );
    assert.equal(plan.broken, true);
    assert.equal(plan.reason, "missing_parent");
  });

  test("unparseable bytes get the placeholder, never the stored digest", () => {
    const plan = planStoredTag(
      stored("{"),
      resolveChain(1, 3, chainImages()),
      readStoredManifest("{"),
      new Map(),
      [],
    );
    assert.equal(plan.reason, "unparseable_stored_manifest");
    assert.equal(plan.broken, true);
    assert.equal(plan.tagManifest.kind, "existing");
    assert.ok(plan.manifest.kind === "plan");
    assert.equal(plan.manifest.digest, "BROKEN-10");
    assert.equal(plan.manifest.bytes, "{}");
    assert.equal(plan.manifest.mediaType, MEDIA_TYPES.schema1Signed);
    assert.deepEqual(plan.manifest.blobIds, []);
  });

  test("a link Quay already made is reused as it is", () => {
    const json = unsigned([sum(3)]);
    const t = { ...stored(json), manifestLink: { manifestId: 77, broken: true, digest: "sha256:d" } };
    const plan = planStoredTag(t, resolveChain(1, 3, chainImages()), readStoredManifest(json), new Map(), []);
    assert.deepEqual(plan.manifest, { kind: "linked", id: 77, digest: "sha256:d" });
    assert.equal(plan.reason, "existing_broken_mapping");
  });
});

describe("planGeneratedTag", () => {
  const resolution = resolveChain(1, 3, chainImages());
  const layers = chainLayers(resolution.ok ? resolution.chain : []);
  const legacy = (id: string, rewritten: boolean) => ({
    id,
    parent: null,
    v1Compatibility: `{"id":"${id}"}`,
    blobSum: "sha256:x",
    rewritten,
    originalId: rewritten ? "old" : id,
  });
  const generated = (rewrittenFrom: number): GenerateResult => ({
    ok: true,
    bytes: "signed",
    size: 6,
    digest: "sha256:d",
    mediaType: MEDIA_TYPES.schema1Signed,
    stripped: false,
    legacyImages: ["b", "m", "l"].map((id, i) => legacy(id, i >= rewrittenFrom)),
    problems: [],
  });

  test("rewritten layers become image rows chained from the last original one", () => {
    const plan = planGeneratedTag(tag(), resolution, layers, generated(1));
    assert.equal(plan.rewrittenIds, 2);
    assert.deepEqual(
      plan.images.map((i) => [i.dockerImageId, i.parent, i.storageId]),
      [
        ["m", { kind: "image", imageId: 1, ancestors: "/" }, 102],
        ["l", { kind: "synthesized", repositoryId: 1, dockerImageId: "m" }, 103],
      ],
    );
    assert.ok(plan.manifest.kind === "plan");
    assert.deepEqual(plan.manifest.legacyImage, { kind: "synthesized", repositoryId: 1, dockerImageId: "l" });
    assert.deepEqual(plan.manifest.blobIds, [103, 102, 101]);
    assert.equal(plan.tagManifest.kind, "create");
  });

  test("nothing rewritten: the tag's own image is the legacy image", () => {
    const plan = planGeneratedTag(tag(), resolution, layers, generated(3));
    assert.deepEqual(plan.images, []);
    assert.ok(plan.manifest.kind === "plan" && plan.manifest.legacyImage.kind === "image");
  });

  test("a refusal of the manifest core gets the placeholder with our reason", () => {
    const plan = planGeneratedTag(tag(), resolution, layers, {
      ok: false,
      reason: "manifest_too_large",
      message: "big",
    });
    assert.equal(plan.broken, true);
    assert.equal(plan.reason, "manifest_too_large");
    assert.ok(plan.manifest.kind === "plan" && plan.manifest.digest === "BROKEN-10");
  });

  test("pull problems are recorded, not broken", () => {
    const result = generated(3);
    if (result.ok) result.problems.push({ code: "invalid_cmd", message: "x", layer: 0 });
    const plan = planGeneratedTag(tag(), resolution, layers, result);
    assert.equal(plan.broken, false);
    assert.equal(plan.reason, "not_pullable");
    assert.match(plan.detail ?? "", /invalid_cmd/);
  });

  test("one rulebook with verify: data clients refuse is noted, a rule of the generator's own is broken", () => {
    const withProblems = (...codes: string[]) => {
      const result = generated(3);
      if (result.ok) for (const code of codes) result.problems.push({ code, message: code, layer: 0 });
      return planGeneratedTag(tag(), resolution, layers, result);
    };
    for (const code of ["invalid_size", "invalid_created", "invalid_cmd", "invalid_blob_sum"]) {
      const plan = withProblems(code);
      assert.deepEqual([plan.broken, plan.reason], [false, "not_pullable"], code);
    }
    const ours = withProblems("invalid_size", "broken_chain");
    assert.deepEqual([ours.broken, ours.reason], [true, "generation_failed"]);
    assert.match(ours.detail ?? "", /broken_chain/);
    // A dry run plans without a key: unsigned by design is what a signed run would map cleanly.
    const dry = generated(3);
    if (dry.ok) {
      dry.mediaType = MEDIA_TYPES.schema1;
      dry.problems.push({ code: "unsigned", message: "unsigned" });
    }
    const planned = planGeneratedTag(tag(), resolution, layers, dry);
    assert.deepEqual([planned.broken, planned.reason], [false, null]);
  });

  test("a storage checksum that is not a digest: no manifest (invalid_checksum); md5:… is a digest", () => {
    const images = chainImages();
    const bad = resolveChain(1, 3, images);
    assert.ok(bad.ok);
    const leaf = bad.chain[0];
    assert.ok(leaf?.storage);
    leaf.storage.checksum = "not a digest";
    const refused = chainLayers(bad.chain);
    assert.ok(!refused.ok && refused.reason === "invalid_checksum", JSON.stringify(refused));
    leaf.storage.checksum = "md5:abc";
    assert.ok(chainLayers(bad.chain).ok);
  });

  test("reason codes of the manifest core", () => {
    assert.equal(brokenReasonOfGeneration("invalid_metadata"), "invalid_metadata");
    assert.equal(brokenReasonOfGeneration("manifest_too_large"), "manifest_too_large");
    assert.equal(brokenReasonOfGeneration("no_layers"), "generation_failed");
  });
});
