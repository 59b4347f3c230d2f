import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSchema1, type ChainLayer } from "../../../src/manifest/generate-schema1.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../../../src/manifest/json-value.js";
import { parseSchema1 } from "../../../src/manifest/parse-schema1.js";
import { pythonJsonDumps } from "../../../src/manifest/python-json-writer.js";
import { schema1Digest } from "../../../src/manifest/schema1-digest.js";
import { createSigner } from "../../../src/manifest/signer.js";
import { verifySchema1Signatures } from "../../../src/manifest/verify-schema1.js";
import { createRandom, pick, randomJsonValue, randomString } from "./random-json.js";
import { ecKey } from "./test-keys.js";

const ID_PROBLEMS = new Set(["invalid_id", "broken_chain", "root_has_parent", "duplicate_id"]);
const hexId = (random: () => number) =>
  Array.from({ length: 64 }, () => "0123456789abcdef"[Math.floor(random() * 16)]).join("");

/** A random chain (leaf first): mostly valid links, sometimes a bad id, link or repeat; random extra data. */
function randomChain(random: () => number): { layers: ChainLayer[]; existing: Map<string, string> } {
  const count = 1 + Math.floor(random() * 6);
  const ids = Array.from({ length: count }, () => hexId(random));
  const existing = new Map<string, string>();
  const baseFirst = ids.map((id, i) => {
    const v1: JsonObject = new Map();
    const roll = random();
    v1.set("id", roll < 0.1 ? id.toUpperCase() : roll < 0.15 && i > 1 ? (ids[i - 2] as string) : id);
    if (i > 0) v1.set("parent", random() < 0.1 ? hexId(random) : (ids[i - 1] as string));
    for (let k = 0; k < Math.floor(random() * 4); k++)
      v1.set(randomString(random, 6), randomJsonValue(random, 3));
    if (random() < 0.5)
      v1.set(
        "container_config",
        new Map<string, JsonValue>([
          ["Cmd", [randomString(random)]],
          ["Image", ids[i - 1] ?? ""],
        ]),
      );
    const blobSum = `sha256:${hexId(random)}`;
    if (random() < 0.15) existing.set(id, `sha256:${hexId(random)}`);
    const text = pythonJsonDumps(v1, pick(random, [{}, { itemSeparator: ",", keySeparator: ":" }]));
    return { blobSum, v1Compatibility: text };
  });
  return { layers: baseFirst.reverse(), existing };
}

describe("generateSchema1 over random metadata (property)", () => {
  const signer = createSigner(ecKey());
  const time = new Date("2021-06-01T00:00:00Z");

  it("round-trips, verifies, and is pullable after the rewrite", async () => {
    const random = createRandom(424242);
    for (let run = 0; run < 150; run++) {
      const { layers, existing } = randomChain(random);
      const base = {
        namespace: "ns",
        repository: "repo",
        tag: "t",
        libraryNamespace: "library",
        layers,
        maxBytes: 3_145_728,
      };

      const unsigned = await generateSchema1({ ...base, rewriteIds: false });
      assert.ok(unsigned.ok);
      const parsed = parseSchema1(unsigned.bytes);
      assert.deepEqual(
        parsed.layers.map((l) => l.v1Compatibility),
        layers.map((l) => l.v1Compatibility),
        "v1 JSON is embedded exactly",
      );
      assert.equal(parsed.digest, unsigned.digest);

      const signed = await generateSchema1({
        ...base,
        rewriteIds: true,
        existingImages: existing,
        signer,
        signingTime: time,
      });
      assert.ok(signed.ok);
      assert.deepEqual(
        signed.problems.filter((p) => ID_PROBLEMS.has(p.code)),
        [],
      );
      const signedParsed = parseSchema1(signed.bytes);
      assert.equal((await verifySchema1Signatures(signedParsed)).status, "valid");
      assert.equal(schema1Digest(signed.bytes), signed.digest);
      signed.legacyImages.forEach((image, i) =>
        assert.equal(image.parent, signed.legacyImages[i - 1]?.id ?? null),
      );

      const stripped = await generateSchema1({
        ...base,
        rewriteIds: true,
        existingImages: existing,
        stripMetadata: true,
      });
      assert.ok(stripped.ok);
      for (const layer of parseSchema1(stripped.bytes).layers.slice(1)) {
        const allowed = ["id", "parent", "created", "author", "comment", "Size", "container_config"];
        assert.ok([...layer.v1.keys()].every((k) => allowed.includes(k)));
        const config = layer.v1.get("container_config");
        if (config !== undefined) assert.ok(isJsonObject(config) && [...config.keys()].join() === "Cmd");
      }
    }
  });
});
