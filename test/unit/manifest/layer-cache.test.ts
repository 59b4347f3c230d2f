import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  generateSchema1,
  type ChainLayer,
  type GenerateInput,
  type GenerateResult,
} from "../../../src/manifest/generate-schema1.js";
import { PyFloat, PyInt, type JsonObject, type JsonValue } from "../../../src/manifest/json-value.js";
import { createLayerCache } from "../../../src/manifest/layer-cache.js";
import { claimedV1Id } from "../../../src/manifest/v1-id-rules.js";
import { pythonJsonDumps } from "../../../src/manifest/python-json-writer.js";
import { createSigner } from "../../../src/manifest/signer.js";
import { createRandom, pick, randomJsonValue, randomString } from "./random-json.js";
import { rsaKey } from "./test-keys.js";

const hexId = (random: () => number) =>
  Array.from({ length: 64 }, () => "0123456789abcdef"[Math.floor(random() * 16)]).join("");
const TEXTS = ["Sômé Öne", "维护者 <ops@example.cn>", "😀 line\u2028sep", "plain ascii"];

/** One stored layer's metadata linking to `parent`; `defect` spoils it in one of the ways the rules see. */
function layerText(random: () => number, id: string, parent: string | undefined, defect: string): string {
  if (defect === "not_json") return `{"id":"${id}",`;
  if (defect === "not_object") return "[]";
  if (defect === "null") return "";
  const v1: JsonObject = new Map<string, JsonValue>([["id", defect === "upper_id" ? id.toUpperCase() : id]]);
  if (parent !== undefined) v1.set("parent", defect === "bad_parent" ? "f".repeat(64) : parent);
  v1.set("created", defect === "bad_created" ? "yesterday" : "2019-05-01T10:00:00.123Z");
  v1.set("author", pick(random, TEXTS));
  v1.set(
    "container_config",
    new Map<string, JsonValue>([
      ["Cmd", ["/bin/sh", "-c", `#(nop) ${pick(random, TEXTS)} ${randomString(random)}`]],
      ["Image", parent ?? ""],
      ["Labels", randomJsonValue(random, 3)],
    ]),
  );
  v1.set("Size", defect === "float_size" ? new PyFloat(1.5) : new PyInt("1000"));
  // Stored texts come in both layouts the registry wrote.
  return pythonJsonDumps(v1, pick(random, [{}, { itemSeparator: ",", keySeparator: ":" }]));
}

const DEFECTS = ["upper_id", "bad_parent", "bad_created", "float_size", "not_json", "not_object", "null"];

/**
 * A batch as the backfill loads it: a few base chains whose layers (the very same string objects) many
 * tags share, each tag adding its own leaves; some layers defective.
 */
function batchOf(seed: number): { tags: ChainLayer[][]; existing: Map<string, string> } {
  const random = createRandom(seed);
  const existing = new Map<string, string>();
  const layerOf = (parent: string | undefined, defectRate: number) => {
    const id = hexId(random);
    const defect = random() < defectRate ? pick(random, DEFECTS) : "";
    const blobSum = random() < 0.03 ? "tarsum+sha256:ab" : `sha256:${hexId(random)}`;
    // The repository already holds this id over another blob: Quay's rewrite rule.
    if (random() < 0.05) existing.set(id, `sha256:${hexId(random)}`);
    const text = layerText(random, id, parent, defect);
    return { id, layer: { blobSum, v1Compatibility: text === "" ? null : text } };
  };
  const bases = Array.from({ length: 5 }, () => {
    const chain: { id: string; layer: ChainLayer }[] = [];
    for (let i = 0; i < 1 + Math.floor(random() * 5); i++) chain.push(layerOf(chain.at(-1)?.id, 0.15));
    return chain;
  });
  const tags = Array.from({ length: 80 }, () => {
    const chain = pick(random, bases).slice(0, 1 + Math.floor(random() * 5));
    const own = [...chain];
    for (let i = 0; i < Math.floor(random() * 3); i++) own.push(layerOf(own.at(-1)?.id, 0.2));
    return own.map((l) => l.layer).reverse();
  });
  return { tags, existing };
}

describe("generateSchema1 with a per-batch layer cache", () => {
  const signer = createSigner(rsaKey());
  const signingTime = new Date("2021-06-01T00:00:00Z");

  /** Varies every option the cache could interact with, from tag to tag. */
  function inputOf(layers: ChainLayer[], index: number, existing: Map<string, string>): GenerateInput {
    return {
      namespace: "ns",
      repository: "repo",
      tag: `t${index}`,
      libraryNamespace: "library",
      layers,
      existingImages: existing,
      rewriteIds: index % 3 !== 0,
      // Every fifth tag is over a limit that stripping meets; every seventh is stripped outright.
      maxBytes: index % 5 === 0 ? 1500 : 3_145_728,
      stripMetadata: index % 7 === 0,
      ...(index % 4 === 0 ? { signer, signingTime } : {}),
    };
  }

  it("gives identical results (bytes, digest, images, problems, failures) to uncached calls", async () => {
    const seen = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const { tags, existing } = batchOf(seed);
      const uncached: GenerateResult[] = [];
      for (const [i, layers] of tags.entries())
        uncached.push(await generateSchema1(inputOf(layers, i, existing)));

      const cache = createLayerCache();
      // Twice over the batch: the second pass is served from what the first one left.
      for (let pass = 0; pass < 2; pass++) {
        for (const [i, layers] of tags.entries()) {
          const cached = await generateSchema1({ ...inputOf(layers, i, existing), cache });
          assert.deepEqual(cached, uncached[i], `seed ${seed}, tag ${i}, pass ${pass}`);
        }
      }
      for (const result of uncached) {
        if (!result.ok) seen.add(result.reason);
        else {
          if (result.legacyImages.some((image) => image.rewritten)) seen.add("rewritten");
          if (result.stripped) seen.add("stripped");
          if (/\\u00f4|\\u7ef4|\\ud83d/.test(result.bytes)) seen.add("non_ascii");
          for (const problem of result.problems) seen.add(problem.code);
        }
      }
    }
    // The batches exercise what they are meant to: rewrites, stripping, problems and refusals.
    const wanted = ["rewritten", "stripped", "non_ascii", "invalid_metadata", "manifest_too_large"];
    const problems = ["invalid_created", "invalid_size", "v1_not_object", "invalid_blob_sum", "broken_chain"];
    assert.deepEqual(
      [...wanted, ...problems].filter((feature) => !seen.has(feature)),
      [],
    );
  });

  it("parses a shared text once and shares the summary", () => {
    const cache = createLayerCache();
    const text = `{"id":"${"a".repeat(64)}","Size":1}`;
    const first = cache.summary(text);
    assert.equal(cache.summary(text.slice(0)), first);
    assert.equal(cache.summary(`${text} `), cache.summary(`${text} `));
    assert.notEqual(cache.summary(`${text} `), first);
    assert.throws(() => cache.summary("{"), { name: "JsonSyntaxError" });
    assert.throws(() => cache.summary("{"), { name: "JsonSyntaxError" });
  });
});

describe("LayerCache.claimedId", () => {
  it("claims what claimedV1Id claims, from the parse the manifest reuses", () => {
    const id = "a".repeat(64);
    const texts = [
      null,
      `{"id":"${id}","parent":"${"b".repeat(64)}"}`,
      `{"id":"${id}","id":"${"c".repeat(64)}"}`,
      `{"id":"${id}","Size":NaN}`,
      `{"id":"${id}","note":"Infinity"}`,
      `{"id":"${id}","x":${"[".repeat(1100)}${"]".repeat(1100)}}`,
      `{"id":"a\\u0000b"}`,
      `{"id":7}`,
      `["${id}"]`,
      `{"id":"${id}",`,
      `{"id":"\\ud800"} `,
      "",
    ];
    for (const text of texts) {
      const cache = createLayerCache();
      assert.equal(cache.claimedId(text), claimedV1Id(text), String(text).slice(0, 40));
      assert.equal(cache.claimedId(text), claimedV1Id(text), "memoised");
    }
  });
});
