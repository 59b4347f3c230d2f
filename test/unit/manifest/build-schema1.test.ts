import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  buildSchema1,
  buildSchema1Ascii,
  buildSchema1Generic,
  schema1Name,
  type Schema1Layer,
} from "../../../src/manifest/build-schema1.js";
import { MalformedManifestError } from "../../../src/manifest/errors.js";
import { stripMetadata } from "../../../src/manifest/strip-metadata.js";
import { createRandom, randomString } from "./random-json.js";
import { V1_VECTOR } from "./v1-vector.js";
import { decodeB64, loadSchema1Vectors, type VectorCase } from "./vectors.js";

const sha256 = (text: string) => "sha256:" + createHash("sha256").update(text).digest("hex");

function layersOf(input: VectorCase): Schema1Layer[] {
  return input.layers_leaf_first.map((l) => ({ blobSum: l.digest, v1Compatibility: l.v1_json || "{}" }));
}

describe("buildSchema1 against Quay's vectors", () => {
  for (const { input, expected } of loadSchema1Vectors()) {
    const name = schema1Name(input.namespace, input.repository);
    it(`${input.name}: unsigned bytes`, () => {
      const bytes = buildSchema1({ name, tag: input.tag, layers: layersOf(input) });
      assert.equal(bytes, decodeB64(expected.unsigned.bytes_b64));
      assert.equal(Buffer.byteLength(bytes), expected.unsigned.size);
      assert.equal(sha256(bytes), expected.unsigned.digest);
      const ascii = buildSchema1Ascii({ name, tag: input.tag, layers: layersOf(input) });
      assert.deepEqual(ascii, Buffer.from(decodeB64(expected.unsigned.bytes_b64), "utf8"));
    });
    it(`${input.name}: metadata stripped`, () => {
      const stripped = expected.stripped;
      if ("error" in stripped) {
        assert.throws(() => stripMetadata(layersOf(input)), MalformedManifestError);
        return;
      }
      const bytes = buildSchema1({ name, tag: input.tag, layers: stripMetadata(layersOf(input)) });
      assert.equal(bytes, decodeB64(stripped.bytes_b64));
      assert.equal(sha256(bytes), stripped.digest);
    });
  }
});

describe("buildSchema1 on the V1 vector", () => {
  const name = schema1Name(V1_VECTOR.namespace, V1_VECTOR.repository, "library");
  const layers = [...V1_VECTOR.layers];
  it("matches current Quay", () => {
    const bytes = buildSchema1({ name, tag: V1_VECTOR.tag, layers });
    assert.equal(Buffer.byteLength(bytes), V1_VECTOR.current.size);
    assert.equal(sha256(bytes), V1_VECTOR.current.digest);
  });
  it("matches current Quay with metadata stripped", () => {
    const bytes = buildSchema1({ name, tag: V1_VECTOR.tag, layers: stripMetadata(layers) });
    assert.equal(Buffer.byteLength(bytes), V1_VECTOR.currentStripped.size);
    assert.equal(sha256(bytes), V1_VECTOR.currentStripped.digest);
  });
});

describe("schema1Name", () => {
  it("drops the library namespace and the empty one", () => {
    assert.equal(schema1Name("library", "ubuntu", "library"), "ubuntu");
    assert.equal(schema1Name("", "ubuntu", "library"), "ubuntu");
    assert.equal(schema1Name("devtable", "simple", "library"), "devtable/simple");
  });
});

describe("stripMetadata refusals", () => {
  const base = { blobSum: V1_VECTOR.layers[1].blobSum };
  const leaf = V1_VECTOR.layers[0];
  for (const [label, v1Compatibility, code] of [
    ["unparseable", "{", "invalid_v1_json"],
    ["a list", "[]", "v1_not_object"],
    ["without id", '{"parent": "x"}', "v1_missing_id"],
  ] as const) {
    it(`refuses a non-leaf layer that is ${label}`, () => {
      assert.throws(
        () => stripMetadata([leaf, { ...base, v1Compatibility }]),
        (err: unknown) =>
          err instanceof MalformedManifestError &&
          err.code === code &&
          err.field === "/history/1/v1Compatibility",
      );
    });
  }
  it("drops a container_config that is not an object instead of crashing", () => {
    const [, stripped] = stripMetadata([
      leaf,
      { ...base, v1Compatibility: '{"id": "a", "container_config": null}' },
    ]);
    assert.equal(stripped?.v1Compatibility, '{"id": "a"}');
  });
});

describe("buildSchema1's fixed layout", () => {
  it("equals the generic writer's output for random parts (property)", () => {
    const random = createRandom(99);
    for (let i = 0; i < 300; i++) {
      const layers = Array.from({ length: Math.floor(random() * 4) }, () => ({
        blobSum: randomString(random, 20),
        v1Compatibility: randomString(random, 40),
      }));
      const parts = { name: randomString(random), tag: randomString(random), layers };
      assert.equal(buildSchema1(parts), buildSchema1Generic(parts));
    }
  });
});
