import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MalformedManifestError } from "../../../src/manifest/errors.js";
import { parseSchema1 } from "../../../src/manifest/parse-schema1.js";
import { digestHistoryLeafId } from "../../../src/verify/inspect-manifest.js";
import { PROBLEM_CODES } from "../../../src/verify/problem-classes.js";
import { MAX_EXAMPLES, ProblemCollector } from "../../../src/verify/problem-collector.js";
import { ancestorIds, chainStorages } from "../../../src/verify/tag-chain.js";
import { V1_VECTOR } from "../manifest/v1-vector.js";
import { decodeB64, loadSchema1Vectors } from "../manifest/vectors.js";
import { buildSchema1 } from "../../../src/manifest/build-schema1.js";

describe("digestHistoryLeafId (v1 id rewrite, re-derived)", () => {
  test("the V1 vector's rewritten leaf id", () => {
    const manifest = parseSchema1(
      buildSchema1({ name: "devtable/simple", tag: "latest", layers: V1_VECTOR.layers }),
    );
    assert.equal(digestHistoryLeafId(manifest), V1_VECTOR.rewrittenLeafId);
  });

  test("every Quay vector whose leaf was rewritten ends on the full running hash", () => {
    let rewritten = 0;
    for (const { input, expected } of loadSchema1Vectors()) {
      if (!Array.isArray(expected.rewritten)) continue;
      const leaf = expected.rewritten[expected.rewritten.length - 1];
      const originalLeaf = /"id"\s*:\s*"([^"]*)"/.exec(input.layers_leaf_first[0]?.v1_json ?? "")?.[1];
      if (leaf === undefined || leaf.image_id === originalLeaf) continue;
      let manifest;
      try {
        manifest = parseSchema1(decodeB64(expected.unsigned.bytes_b64));
      } catch (err) {
        if (err instanceof MalformedManifestError) continue;
        throw err;
      }
      rewritten += 1;
      assert.equal(digestHistoryLeafId(manifest), leaf.image_id, input.name);
    }
    assert.ok(rewritten > 0, "the vectors hold rewritten chains");
  });
});

describe("ProblemCollector", () => {
  test("counts everything, keeps the first examples, and only failing classes fail", () => {
    const collector = new ProblemCollector();
    for (let i = 1; i <= 7; i++) {
      collector.add({ code: "stored_not_pullable", repositoryTagId: i, tag: `a/b:${i}`, detail: "x" });
    }
    assert.equal(collector.hasFailing(), false);
    collector.addCount("unmapped", 12, [{ repositoryTagId: 99, tag: "a/b:z", detail: "y" }]);
    assert.equal(collector.hasFailing(), true);
    const [unmapped, stored] = collector.summaries();
    assert.equal(unmapped?.code, "unmapped");
    assert.equal(unmapped?.count, 12);
    assert.equal(stored?.count, 7);
    assert.equal(stored?.severity, "notice");
    assert.deepEqual(
      stored?.examples.map((e) => e.repositoryTagId),
      [1, 2, 3, 4, 5].slice(0, MAX_EXAMPLES),
    );
  });

  test("problem codes are unique snake_case", () => {
    for (const code of PROBLEM_CODES) assert.match(code, /^[a-z][a-z0-9_]*$/);
    assert.equal(new Set(PROBLEM_CODES).size, PROBLEM_CODES.length);
  });
});

describe("tag chain", () => {
  test("ancestors paths", () => {
    assert.deepEqual(ancestorIds("/"), []);
    assert.deepEqual(ancestorIds(null), []);
    assert.deepEqual(ancestorIds("/1/22/333/"), [1, 22, 333]);
  });

  test("ancestors parts that cannot be an image id (0, negative, beyond integer) name no image", () => {
    assert.deepEqual(ancestorIds("/0/-1/99999999999/"), []);
    assert.deepEqual(ancestorIds("/7/2147483648/2147483647/"), [7, 2147483647]);
  });

  test("only images of the tag's repository with a storage are in the chain", () => {
    const images = new Map([
      [1, { repositoryId: 9, storageId: 11, checksum: "sha256:a" }],
      [2, { repositoryId: 8, storageId: 12, checksum: "sha256:b" }],
      [3, { repositoryId: 9, storageId: null, checksum: null }],
      [4, { repositoryId: 9, storageId: 14, checksum: "sha256:d" }],
    ]);
    assert.deepEqual(chainStorages(4, "/1/2/3/", 9, images), [
      { storageId: 14, checksum: "sha256:d" },
      { storageId: 11, checksum: "sha256:a" },
    ]);
  });
});
