import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { median, percentile } from "../../../bench/lib/percentile.js";

describe("percentile", () => {
  test("interpolates between closest ranks, whatever the input order", () => {
    const values = [40, 10, 30, 20];
    assert.equal(percentile(values, 0), 10);
    assert.equal(percentile(values, 1), 40);
    assert.equal(median(values), 25);
    assert.equal(percentile(values, 0.95), 38.5);
    assert.deepEqual(values, [40, 10, 30, 20], "the input is not sorted in place");
  });

  test("p95 of 1..100 is 95.05; one value is every percentile; none is NaN", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.ok(Math.abs(percentile(hundred, 0.95) - 95.05) < 1e-9);
    assert.equal(percentile([7], 0.95), 7);
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });

  test("a quantile outside 0..1 is refused", () => {
    assert.throws(() => percentile([1], 1.5), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });
});
