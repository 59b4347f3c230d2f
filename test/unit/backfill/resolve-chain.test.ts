import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chainLayers } from "../../../src/backfill/plan-generated-tag.js";
import { resolveChain } from "../../../src/backfill/resolve-chain.js";
import { claimedV1Id, parseAncestors } from "../../../src/manifest/v1-id-rules.js";
import { chainImages, image } from "./planner-data.js";

describe("parseAncestors", () => {
  const cases: [string | null, number[] | undefined][] = [
    ["/", []],
    ["/1/", [1]],
    ["/1/22/333/", [1, 22, 333]],
    [null, undefined],
    ["", undefined],
    ["//", undefined],
    ["/a/", undefined],
    ["1/2/", undefined],
    ["/1/2", undefined],
    ["/0/", undefined],
    ["/99999999999/", undefined],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.deepEqual(parseAncestors(input), expected));
  }
});

describe("resolveChain", () => {
  test("leaf first, then parents nearest first", () => {
    const r = resolveChain(1, 3, chainImages());
    assert.ok(r.ok);
    assert.deepEqual(
      r.chain.map((i) => i.id),
      [3, 2, 1],
    );
  });

  test("a parent missing, or in another repository, is missing_parent", () => {
    const images = chainImages();
    images.delete(2);
    const r = resolveChain(1, 3, images);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, "missing_parent");
    assert.deepEqual(!r.ok && r.found.map((i) => i.id), [3, 1]);
    const foreign = chainImages();
    foreign.set(1, image(1, "/", { repositoryId: 2 }));
    const f = resolveChain(1, 3, foreign);
    assert.equal(!f.ok && f.reason, "missing_parent");
  });

  test("the tag's image in another repository, or unreadable ancestors", () => {
    const images = chainImages();
    const r = resolveChain(7, 3, images);
    assert.equal(!r.ok && r.reason, "foreign_image");
    images.set(3, image(3, "junk"));
    const a = resolveChain(1, 3, images);
    assert.equal(!a.ok && a.reason, "invalid_ancestors");
  });
});

describe("chainLayers", () => {
  const leaf = () => image(3, "/1/2/");
  test("blobSums and raw metadata, leaf first", () => {
    const r = chainLayers([leaf(), image(2, "/1/", { v1JsonMetadata: null })]);
    assert.ok(r.ok);
    assert.deepEqual(
      r.layers.map((l) => l.v1Compatibility),
      [leaf().v1JsonMetadata, null],
    );
    assert.equal(r.tarsum, false);
  });
  const broken: [string, Parameters<typeof image>[2], string][] = [
    ["no storage id", { storageId: null }, "null_storage"],
    ["dangling storage", { storage: null }, "null_storage"],
    ["uploading", { storage: { uploading: true, checksum: "sha256:x" } }, "uploading_storage"],
    ["no checksum", { storage: { uploading: false, checksum: null } }, "missing_checksum"],
    [
      "a checksum that is not a digest",
      { storage: { uploading: false, checksum: "sha256:x" } },
      "invalid_checksum",
    ],
  ];
  for (const [name, overrides, reason] of broken) {
    test(name, () => {
      const r = chainLayers([leaf(), image(2, "/1/", overrides)]);
      assert.equal(!r.ok && r.reason, reason);
    });
  }
  test("uploading = null is not uploading (Quay tests truthiness)", () => {
    assert.ok(chainLayers([image(2, "/", { storage: { uploading: null, checksum: "sha256:ab" } })]).ok);
  });
  test("tarsum checksums are kept and flagged", () => {
    const r = chainLayers([image(2, "/", { storage: { uploading: false, checksum: "tarsum+sha256:ab" } })]);
    assert.ok(r.ok && r.tarsum);
  });
});

describe("claimedV1Id", () => {
  test("reads a string id, nothing else", () => {
    assert.equal(claimedV1Id('{"id":"abc"}'), "abc");
    assert.equal(claimedV1Id('{"id":1}'), undefined);
    assert.equal(claimedV1Id("[1]"), undefined);
    assert.equal(claimedV1Id("{nope"), undefined);
    assert.equal(claimedV1Id(null), undefined);
  });
});
