import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  evaluateTargets,
  referenceSize,
  targetInputsOf,
  type TargetInputs,
} from "../../../bench/lib/evaluate-targets.js";
import type { PassMetrics } from "../../../bench/lib/pass-metrics.js";

const MB = 1024 * 1024;
const ALL: TargetInputs = {
  rs256TagsPerSec: 1200,
  es256TagsPerSec: 900,
  signRatePerSec: 1100,
  rawInsertTagsPerSec: 1600,
  baselineTagsPerSec: 50,
  runMs10k: 10_000,
  runMs100k: 105_000,
  peakRss100k: 200 * MB,
  peakRss1m: 220 * MB,
};
const byId = (inputs: TargetInputs) => new Map(evaluateTargets(inputs).map((t) => [t.id, t]));

describe("evaluateTargets", () => {
  test("every target passes at its threshold, with the ratio formed from the numbers", () => {
    const t = byId(ALL);
    assert.deepEqual(
      [...t.values()].map((r) => r.status),
      ["PASS", "PASS", "PASS", "PASS", "PASS"],
    );
    assert.ok(Math.abs((t.get("rs256-vs-signing")?.ratio ?? 0) - 1200 / 1100) < 1e-12);
    assert.equal(t.get("es256-vs-raw-insert")?.ratio, 900 / 1600);
    assert.equal(t.get("vs-per-tag-baseline")?.ratio, 24);
    assert.equal(t.get("linear-100k")?.ratio, 10.5);
    assert.equal(t.get("rss-1m")?.ratio, 1.1);
  });

  test("just below a threshold fails", () => {
    const t = byId({
      ...ALL,
      rs256TagsPerSec: 1099,
      es256TagsPerSec: 799,
      baselineTagsPerSec: 1099 / 4.99,
      runMs100k: 110_001,
      peakRss1m: 241 * MB,
    });
    for (const id of [
      "rs256-vs-signing",
      "es256-vs-raw-insert",
      "vs-per-tag-baseline",
      "linear-100k",
      "rss-1m",
    ]) {
      assert.equal(t.get(id)?.status, "FAIL", id);
    }
  });

  test("memory must also stay under 300 MB, whatever the ratio", () => {
    const t = byId({ ...ALL, peakRss100k: 290 * MB, peakRss1m: 310 * MB });
    assert.equal(t.get("rss-1m")?.status, "FAIL");
  });

  test("a missing measurement is not run, never a pass", () => {
    const t = byId({ ...ALL, peakRss1m: undefined, baselineTagsPerSec: undefined, runMs10k: 0 });
    assert.equal(t.get("rss-1m")?.status, "not run");
    assert.equal(t.get("vs-per-tag-baseline")?.status, "not run");
    assert.equal(t.get("linear-100k")?.status, "not run");
    assert.equal(t.get("rs256-vs-signing")?.status, "PASS");
  });
});

describe("targetInputsOf", () => {
  const pass = (size: number, alg: "RS256" | "ES256", tagsPerSec: number, runMs: number, rss: number) => ({
    size,
    alg,
    seedMs: 0,
    throughput: [],
    metrics: { tagsPerSec, runMs, peakRssBytes: rss } as unknown as PassMetrics,
  });
  const limits = {
    signing: { payloadBytes: 8000, rs256PerSec: 500, rs256PerCpuSec: 1300, es256PerSec: 9000 },
    rawInsert: undefined,
    baseline: undefined,
  };

  test("rates at 100,000, the signing limit in CPU time, memory from the larger pass of a size", () => {
    const inputs = targetInputsOf({
      passes: [
        pass(10_000, "RS256", 250, 40_000, 400 * MB),
        pass(100_000, "RS256", 440, 220_000, 460 * MB),
        pass(100_000, "ES256", 600, 160_000, 470 * MB),
        pass(1_000_000, "RS256", 450, 2_000_000, 500 * MB),
      ],
      limits,
    });
    assert.equal(inputs.rs256TagsPerSec, 440);
    assert.equal(inputs.es256TagsPerSec, 600);
    assert.equal(inputs.signRatePerSec, 1300);
    assert.equal(inputs.runMs10k, 40_000);
    assert.equal(inputs.runMs100k, 220_000);
    assert.equal(inputs.peakRss100k, 470 * MB);
    assert.equal(inputs.peakRss1m, 500 * MB);
    assert.equal(inputs.rawInsertTagsPerSec, undefined);
  });

  test("the reference size is the largest up to 100,000, else the smallest", () => {
    assert.equal(referenceSize([1000, 10_000, 1_000_000]), 10_000);
    assert.equal(referenceSize([200_000, 1_000_000]), 200_000);
  });
});
