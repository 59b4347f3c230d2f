import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../../../src/errors.js";
import { DEFECT_CLASSES, DEFECTS, seedOptions } from "../../../src/seed/index.js";

describe("seed options", () => {
  test("defaults: every defect class at a small rate; classes added since are opt-in (0)", () => {
    const options = seedOptions({ tags: 100 });
    assert.equal(options.seed, "1");
    const optIn = [
      "v1-nul-id",
      "ancestors-out-of-range",
      "checksum-not-sha256",
      "checksum-not-digest",
      "v1-unpullable",
    ];
    for (const defect of DEFECT_CLASSES) {
      assert.equal(options.rates[defect], DEFECTS[defect].rate);
      if (optIn.includes(defect)) assert.equal(options.rates[defect], 0, defect);
      else assert.ok(options.rates[defect] > 0 && options.rates[defect] <= 0.01, defect);
    }
  });

  const bad: [string, Parameters<typeof seedOptions>[0], RegExp][] = [
    ["too few tags", { tags: 99 }, /--tags must be an integer from 100 to 1,000,000, got 99/],
    ["too many tags", { tags: 1_000_001 }, /--tags must be .* got 1000001/],
    ["fractional tags", { tags: 150.5 }, /--tags must be an integer/],
    ["rate above 1", { tags: 100, rates: { tarsum: 1.5 } }, /--rate-tarsum must be a fraction from 0 to 1/],
    ["negative rate", { tags: 100, rates: { "v1-no-id": -0.1 } }, /--rate-v1-no-id must be a fraction/],
    ["rates over 1 in sum", { tags: 100, rates: { tarsum: 0.6, "invalid-id": 0.6 } }, /add up to 1\.2/],
    ["hidden rate", { tags: 100, hiddenRate: 2 }, /--hidden-rate must be a fraction/],
  ];
  for (const [name, input, message] of bad) {
    test(`refuses ${name} with a UsageError naming the flag`, () => {
      assert.throws(
        () => seedOptions(input),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
});
