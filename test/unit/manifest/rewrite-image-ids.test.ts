import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Schema1Layer } from "../../../src/manifest/build-schema1.js";
import { MalformedManifestError } from "../../../src/manifest/errors.js";
import { isJsonObject } from "../../../src/manifest/json-value.js";
import { parsePythonJson } from "../../../src/manifest/python-json-parser.js";
import { CANONICAL_LAYOUT, pythonJsonDumps } from "../../../src/manifest/python-json-writer.js";
import { rewriteImageIds } from "../../../src/manifest/rewrite-image-ids.js";
import { V1_VECTOR } from "./v1-vector.js";
import { loadSchema1Vectors } from "./vectors.js";

/** Quay put the new id in a new lower-case `image` key; we update `Image`. Fix the expectation likewise. */
function withImageBugFixed(compatJson: string): string {
  const value = parsePythonJson(compatJson);
  const config = isJsonObject(value) ? value.get("container_config") : undefined;
  if (!isJsonObject(config) || !config.has("image")) return compatJson;
  config.set("Image", config.get("image") ?? null);
  config.delete("image");
  return pythonJsonDumps(value, CANONICAL_LAYOUT);
}

describe("rewriteImageIds against Quay's vectors", () => {
  for (const { input, expected } of loadSchema1Vectors()) {
    it(input.name, () => {
      const layers = input.layers_leaf_first
        .map((l) => ({ blobSum: l.digest, v1Compatibility: l.v1_json || "{}" }))
        .reverse();
      const run = () => rewriteImageIds(layers, new Map(Object.entries(input.images_map)));
      if ("error" in expected.rewritten) {
        assert.throws(run, MalformedManifestError);
        return;
      }
      const images = run();
      assert.equal(images.length, expected.rewritten.length);
      expected.rewritten.forEach((want, i) => {
        const got = images[i];
        assert.ok(got);
        assert.equal(got.id, want.image_id);
        assert.equal(got.parent, want.parent_image_id);
        assert.equal(got.blobSum, want.content_checksum);
        assert.equal(got.rewritten, got.v1Compatibility !== layers[i]?.v1Compatibility);
        assert.equal(
          got.v1Compatibility,
          got.rewritten ? withImageBugFixed(want.compat_json) : want.compat_json,
        );
      });
    });
  }
});

const hex = (c: string) => c.repeat(64);
const blob = (c: string) => `sha256:${hex(c)}`;
function chain(...specs: { id?: unknown; parent?: unknown; extra?: string }[]): Schema1Layer[] {
  return specs.map((s, i) => ({
    blobSum: blob(String(i)),
    v1Compatibility: JSON.stringify({ id: s.id, parent: s.parent }).replace("}", s.extra ?? "}"),
  }));
}

describe("rewriteImageIds", () => {
  it("reproduces the V1 vector's rewrite", () => {
    const images = rewriteImageIds([...V1_VECTOR.layers].reverse(), V1_VECTOR.rewriteExisting);
    assert.deepEqual(
      images.map((i) => [i.id, i.parent]),
      [
        [V1_VECTOR.rewrittenBaseId, null],
        [V1_VECTOR.rewrittenLeafId, V1_VECTOR.rewrittenBaseId],
      ],
    );
  });

  it("keeps a valid chain as stored, byte for byte", () => {
    const layers = chain({ id: hex("a") }, { id: hex("b"), parent: hex("a") });
    const images = rewriteImageIds(layers);
    assert.deepEqual(
      images.map((i) => i.v1Compatibility),
      layers.map((l) => l.v1Compatibility),
    );
    assert.ok(images.every((i) => !i.rewritten));
  });

  const INVALID: [string, Schema1Layer[]][] = [
    ["an id that is not 64 lower-case hex", chain({ id: hex("a") }, { id: hex("B"), parent: hex("a") })],
    ["a numeric id", chain({ id: hex("a") }, { id: 7, parent: hex("a") })],
    ["a broken chain link", chain({ id: hex("a") }, { id: hex("b"), parent: hex("c") })],
    ["a missing parent", chain({ id: hex("a") }, { id: hex("b") })],
    [
      "a non-adjacent repeat",
      chain({ id: hex("a") }, { id: hex("b"), parent: hex("a") }, { id: hex("a"), parent: hex("b") }),
    ],
  ];
  for (const [label, layers] of INVALID) {
    it(`rewrites from ${label} on, and the new chain links up`, () => {
      const images = rewriteImageIds(layers);
      const last = images.at(-1);
      assert.ok(last?.rewritten);
      assert.match(last.id, /^[a-f0-9]{64}$/);
      images.forEach((image, i) => {
        assert.equal(image.parent, images[i - 1]?.id ?? null);
        const v1 = parsePythonJson(image.v1Compatibility);
        assert.ok(isJsonObject(v1));
        assert.equal(v1.get("id"), image.id);
        assert.equal(v1.get("parent"), image.parent ?? undefined);
      });
    });
  }

  it("allows an adjacent repeat (a throwaway layer) without rewriting", () => {
    const layers = chain({ id: hex("a") }, { id: hex("a") }, { id: hex("b"), parent: hex("a") });
    assert.ok(rewriteImageIds(layers).every((i) => !i.rewritten));
  });

  it("drops a parent from a rewritten root", () => {
    const [root] = rewriteImageIds(chain({ id: hex("a"), parent: hex("f") }));
    assert.equal(root?.parent, null);
    assert.doesNotMatch(root?.v1Compatibility ?? "", /parent/);
  });

  it("maps container_config.Image and writes canonical JSON", () => {
    const layers = chain(
      { id: hex("a") },
      {
        id: hex("b"),
        parent: hex("a"),
        extra: `,"container_config":{"Image":"${hex("a")}","Cmd":["x"]},"Z":1.0}`,
      },
    );
    const images = rewriteImageIds(layers, new Map([[hex("a"), blob("9")]]));
    const [base, leaf] = images;
    assert.ok(base && leaf);
    assert.equal(
      leaf.v1Compatibility,
      `{"Z":1.0,"container_config":{"Cmd":["x"],"Image":"${base.id}"},"id":"${leaf.id}","parent":"${base.id}"}`,
    );
  });

  it("names the leaf-first field of metadata it refuses", () => {
    assert.throws(
      () => rewriteImageIds([{ blobSum: blob("a"), v1Compatibility: "{" }, ...chain({ id: hex("b") })]),
      (err: unknown) => err instanceof MalformedManifestError && err.field === "/history/1/v1Compatibility",
    );
  });
});
