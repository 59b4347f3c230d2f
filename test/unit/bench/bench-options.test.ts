import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BenchUsageError, parseBenchOptions } from "../../../bench/lib/bench-options.js";

describe("parseBenchOptions", () => {
  test("defaults: 10,000 and 100,000 tags, both keys, limits on, README regenerated", () => {
    const o = parseBenchOptions([]);
    assert.deepEqual(o.sizes, [10_000, 100_000]);
    assert.deepEqual(o.algs, ["RS256", "ES256"]);
    assert.equal(o.baselineTags, 2000);
    assert.equal(o.limits, true);
    assert.equal(o.readme, true);
    assert.equal(o.outDir, "bench/results");
    assert.deepEqual(o.workers, [], "scale-out is off unless asked for");
    assert.equal(o.live, true, "the live phases run unless --no-live");
    assert.equal(parseBenchOptions(["--no-live"]).live, false);
  });

  test("--workers takes distinct worker counts, sorted", () => {
    assert.deepEqual(parseBenchOptions(["--workers", "4,1,2,2"]).workers, [1, 2, 4]);
  });

  test("--tags adds a size to the defaults; --sizes replaces them; sizes sorted and distinct", () => {
    assert.deepEqual(parseBenchOptions(["--tags", "1000000"]).sizes, [10_000, 100_000, 1_000_000]);
    assert.deepEqual(parseBenchOptions(["--sizes", "100000,10000,10000"]).sizes, [10_000, 100_000]);
    assert.deepEqual(parseBenchOptions(["--sizes", "5000", "--algs", "es256", "--no-readme"]).algs, [
      "ES256",
    ]);
  });

  test("--large-algs picks the keys of the sizes above 100,000; --algs when absent", () => {
    const both = parseBenchOptions(["--tags", "1000000"]);
    assert.deepEqual(both.largeAlgs, ["RS256", "ES256"]);
    const o = parseBenchOptions(["--tags", "1000000", "--large-algs", "es256"]);
    assert.deepEqual(o.largeAlgs, ["ES256"]);
    assert.deepEqual(o.algs, ["RS256", "ES256"], "the reference sizes keep both keys");
  });

  test("wrong values and unknown flags are usage errors", () => {
    for (const argv of [
      ["--sizes", "ten"],
      ["--tags", "50"],
      ["--algs", "HS256"],
      ["--large-algs", "RS512"],
      ["--bogus"],
      ["--baseline-tags", "-1"],
      ["--workers", "0"],
      ["--workers", "1,two"],
      ["--workers", "33"],
    ]) {
      assert.throws(() => parseBenchOptions(argv), BenchUsageError, argv.join(" "));
    }
  });
});
