import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PassResult } from "../../../bench/lib/bench-result.js";
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
  es256TagsPerSec: 1600,
  rawInsertTagsPerSec: 2000,
  baselineTagsPerSec: 50,
  pgCpuMsPerTag: 0.6,
  rawPgCpuMsPerTag: 0.5,
  runSmall: { size: 10_000, value: 10_000 },
  runReference: { size: 100_000, value: 105_000 },
  rssLargest: { size: 1_000_000, value: 220 * MB },
  rssBase: { size: 100_000, value: 200 * MB },
};
const byId = (inputs: TargetInputs) => new Map(evaluateTargets(inputs).map((t) => [t.id, t]));
const IDS = [
  "es256-vs-raw-insert",
  "rs256-vs-raw-insert",
  "pg-cpu-vs-raw-insert",
  "vs-per-tag-baseline",
  "linear",
  "rss",
];

describe("evaluateTargets", () => {
  test("every target passes within its bound, with the ratio formed from the numbers", () => {
    const t = byId(ALL);
    assert.deepEqual([...t.keys()], IDS);
    assert.deepEqual(
      [...t.values()].map((r) => r.status),
      IDS.map(() => "PASS"),
    );
    assert.equal(t.get("es256-vs-raw-insert")?.ratio, 0.8);
    assert.equal(t.get("rs256-vs-raw-insert")?.ratio, 0.6);
    assert.ok(Math.abs((t.get("pg-cpu-vs-raw-insert")?.ratio ?? 0) - 1.2) < 1e-12);
    assert.equal(t.get("vs-per-tag-baseline")?.ratio, 24);
    assert.equal(t.get("linear")?.ratio, 10.5);
    assert.equal(t.get("linear")?.required, "≤ 11.0");
    assert.equal(t.get("rss")?.ratio, 1.1);
  });

  test("just past a bound fails", () => {
    const t = byId({
      ...ALL,
      es256TagsPerSec: 1599,
      rs256TagsPerSec: 1199,
      baselineTagsPerSec: 1199 / 4.99,
      pgCpuMsPerTag: 0.651,
      runReference: { size: 100_000, value: 110_001 },
      rssLargest: { size: 1_000_000, value: 241 * MB },
    });
    for (const id of IDS) assert.equal(t.get(id)?.status, "FAIL", id);
  });

  test("the linear bound scales with the sizes run: 2 × the tags may take 2.2 × the time", () => {
    const t = byId({
      ...ALL,
      runSmall: { size: 10_000, value: 10_000 },
      runReference: { size: 20_000, value: 21_000 },
    });
    assert.equal(t.get("linear")?.required, "≤ 2.2");
    assert.equal(t.get("linear")?.status, "PASS");
    assert.match(t.get("linear")?.label ?? "", /20,000 tags vs time at 10,000/);
  });

  test("memory must also stay under 300 MB, whatever the ratio", () => {
    const t = byId({
      ...ALL,
      rssBase: { size: 100_000, value: 290 * MB },
      rssLargest: { size: 1_000_000, value: 310 * MB },
    });
    assert.equal(t.get("rss")?.status, "FAIL");
  });

  test("a missing measurement is not run, never a pass", () => {
    const t = byId({
      ...ALL,
      rssLargest: undefined,
      baselineTagsPerSec: undefined,
      runSmall: undefined,
      rawPgCpuMsPerTag: undefined,
    });
    assert.equal(t.get("rss")?.status, "not run");
    assert.equal(t.get("vs-per-tag-baseline")?.status, "not run");
    assert.equal(t.get("linear")?.status, "not run");
    assert.equal(t.get("pg-cpu-vs-raw-insert")?.status, "not run");
    assert.equal(t.get("es256-vs-raw-insert")?.status, "PASS");
  });
});

describe("targetInputsOf", () => {
  const pass = (
    size: number,
    alg: "RS256" | "ES256",
    runMs: number,
    rss: number,
    pgSec?: number,
  ): PassResult => ({
    size,
    alg,
    seedMs: 0,
    throughput: [],
    metrics: {
      tags: size,
      tagsPerSec: (size * 1000) / runMs,
      runMs,
      peakRssBytes: rss,
    } as unknown as PassMetrics,
    ...(pgSec === undefined
      ? {}
      : { pgCpu: { databaseSec: pgSec, backends: 5, backgroundSec: 1, wallMs: runMs } }),
  });
  const limits = {
    signing: { payloadBytes: 8000, rs256PerSec: 500, rs256PerCpuSec: 1300, es256PerSec: 9000 },
    rawInsert: {
      rowsPerTag: {},
      tagsPerRound: 10_000,
      rounds: 3,
      tagsPerSec: 2000,
      rowsPerSec: 24_000,
      pgCpuMsPerTag: 0.5,
    },
    baseline: undefined,
  };

  test("rates and PostgreSQL CPU at 100,000, time from RS256, memory from the passes of the same key", () => {
    const inputs = targetInputsOf({
      passes: [
        pass(10_000, "RS256", 40_000, 400 * MB, 6),
        pass(100_000, "RS256", 200_000, 460 * MB, 60),
        pass(100_000, "ES256", 125_000, 470 * MB, 70),
        pass(1_000_000, "RS256", 2_000_000, 500 * MB),
      ],
      limits,
    });
    assert.equal(inputs.rs256TagsPerSec, 500);
    assert.equal(inputs.es256TagsPerSec, 800);
    assert.equal(inputs.rawInsertTagsPerSec, 2000);
    assert.equal(inputs.pgCpuMsPerTag, 0.7, "the higher of the two keys");
    assert.equal(inputs.rawPgCpuMsPerTag, 0.5);
    assert.deepEqual(inputs.runSmall, { size: 10_000, value: 40_000 });
    assert.deepEqual(inputs.runReference, { size: 100_000, value: 200_000 });
    assert.deepEqual(inputs.rssLargest, { size: 1_000_000, value: 500 * MB });
    assert.deepEqual(
      inputs.rssBase,
      { size: 100_000, value: 460 * MB },
      "the base is the pass with the largest size's key (RS256), not the higher of both",
    );
  });

  test("without a size above the reference, memory compares the largest with the smallest", () => {
    const inputs = targetInputsOf({
      passes: [pass(10_000, "ES256", 20_000, 200 * MB), pass(20_000, "ES256", 40_000, 210 * MB)],
      limits,
    });
    assert.deepEqual(inputs.rssBase, { size: 10_000, value: 200 * MB });
    assert.deepEqual(inputs.runReference, { size: 20_000, value: 40_000 }, "ES256 when RS256 did not run");
    assert.equal(inputs.pgCpuMsPerTag, undefined);
  });

  test("the reference size is the largest up to 100,000, else the smallest", () => {
    assert.equal(referenceSize([1000, 10_000, 1_000_000]), 10_000);
    assert.equal(referenceSize([200_000, 1_000_000]), 200_000);
  });
});
