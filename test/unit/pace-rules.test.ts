import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";
import { nearestRank } from "../../src/nearest-rank.js";
import { decidePace, PACE_RULES, type PaceSample } from "../../src/run/pace-rules.js";
import { throttleSettings } from "../../src/run/throttle-settings.js";

/** `n` samples, one every 250 ms; `make(i)` gives each its latency and flags. */
function samples(n: number, make: (i: number) => Omit<PaceSample, "atMs">): PaceSample[] {
  return Array.from({ length: n }, (_, i) => ({ atMs: i * 250, ...make(i) }));
}

/** A budget of 1% slowed: the application's p99 as the line. */
const RULES = { ...PACE_RULES, slowBudget: 0.01 };

/** Uncontended commits of about 1 ms (the line is 1.5 × their 90th percentile: 1.5 ms). */
const IDLE = [0.8, 0.9, 1, 1, 1, 1, 1, 1, 1, 1];

describe("the pacer's rest ratio", () => {
  test("an idle application: no rest, and a ratio there is halves towards none", () => {
    const quiet = samples(80, (i) => ({ latencyMs: 20, writing: i % 2 === 0, appBusy: false }));
    const first = decidePace(quiet, IDLE, 8, RULES);
    assert.equal(first.ratio, 4);
    assert.equal(first.reason, "application idle");
    assert.equal(decidePace(quiet, IDLE, 0.4, RULES).ratio, 0, "a ratio under 0.25 is none");
  });

  test("busy application, commits slowed while the process writes all the time: the ratio grows at most 2×(1 + r) per step up to its cap", () => {
    // Writing every sample, half of them slowed: 1% over all needs 2% writing, so ratio 49 → capped.
    const hurt = samples(80, (i) => ({ latencyMs: i % 2 ? 9 : 1, writing: true, appBusy: true }));
    const d0 = decidePace(hurt, IDLE, 0, RULES);
    assert.equal(d0.ratio, 1, "from 0 at most to 1 (duty halved)");
    assert.equal(d0.slowedWhileWriting, 0.5);
    assert.equal(d0.duty, 1);
    assert.equal(d0.slowLineMs, 1.5);
    assert.match(d0.reason, /50% of commits slowed past 1\.5 ms while writing, writing 100% of the time/);
    assert.equal(decidePace(hurt, IDLE, 9, RULES).ratio, PACE_RULES.maxRatio);
  });

  test("the ratio follows the share slowed: 10% slowed while writing one batch at a time gives ratio 9 (10% duty, 1% slowed overall)", () => {
    // At ratio 9 the process writes 10% of the time; 1 in 10 of those commits is slowed.
    const window = samples(200, (i) => ({
      latencyMs: i % 100 === 0 ? 12 : 1,
      writing: i % 10 === 0,
      appBusy: true,
    }));
    const d = decidePace(window, IDLE, 9, RULES);
    assert.equal(d.duty, 0.1);
    assert.equal(d.slowedWhileWriting, 0.1);
    assert.equal(d.ratio, 9, "steady: the same ratio again");
    const calmer = window.map((s) => ({ ...s, latencyMs: 1 }));
    assert.equal(
      decidePace(calmer, IDLE, 9, RULES).ratio,
      4,
      "nothing slowed: at most halves (1 + r) per step",
    );
    assert.equal(decidePace(calmer, IDLE, 1, RULES).ratio, 0);
  });

  test("no decision without enough samples or a baseline, nor without a batch written in the window", () => {
    const few = samples(PACE_RULES.minSamples - 1, () => ({ latencyMs: 50, writing: true, appBusy: true }));
    assert.equal(decidePace(few, IDLE, 3, RULES).ratio, 3);
    const many = samples(40, () => ({ latencyMs: 50, writing: true, appBusy: true }));
    assert.deepEqual(
      [
        decidePace(many, [], 3, RULES).ratio,
        decidePace(many, [], 3, RULES).reason,
        decidePace(many, [], 3, RULES).slowLineMs,
      ],
      [3, "too few samples", undefined],
    );
    const resting = samples(40, () => ({ latencyMs: 50, writing: false, appBusy: true }));
    assert.equal(decidePace(resting, IDLE, 3, RULES).reason, "no batch written");
  });

  test("quantile by the nearest rank", () => {
    assert.equal(nearestRank([5, 1, 3, 2, 4], 0.9), 5);
    assert.equal(nearestRank([5, 1, 3, 2, 4], 0.5), 3);
    assert.equal(nearestRank([], 0.5), undefined);
  });
});

describe("BACKFILL_PACING", () => {
  test("on unless set off", () => {
    assert.equal(throttleSettings(loadConfig({})).pacing, true);
    for (const off of ["off", "OFF", "false", "0"])
      assert.equal(throttleSettings(loadConfig({ BACKFILL_PACING: off })).pacing, false, off);
    assert.equal(throttleSettings(loadConfig({ BACKFILL_PACING: "on" })).pacing, true);
  });

  test("BACKFILL_PACING_SLOWED_SHARE: a fraction above 0, 0.03 unless set", () => {
    assert.equal(throttleSettings(loadConfig({})).pacingSlowedShare, 0.03);
    assert.equal(
      throttleSettings(loadConfig({ BACKFILL_PACING_SLOWED_SHARE: "0.01" })).pacingSlowedShare,
      0.01,
    );
    for (const bad of ["0", "1.5", "-0.1", "some"])
      assert.throws(
        () => loadConfig({ BACKFILL_PACING_SLOWED_SHARE: bad }),
        (err: unknown) => err instanceof ConfigError && /BACKFILL_PACING_SLOWED_SHARE/.test(err.message),
        bad,
      );
  });

  test("a larger share rests less: half the commits slowed while writing all the time wants ratio 9 at 5%", () => {
    const hurt = samples(80, (i) => ({ latencyMs: i % 2 ? 9 : 1, writing: true, appBusy: true }));
    assert.equal(decidePace(hurt, IDLE, 9, { ...PACE_RULES, slowBudget: 0.05 }).ratio, 9);
    assert.equal(decidePace(hurt, IDLE, 9, { ...PACE_RULES, slowBudget: 0.5 }).ratio, 4, "halves at most");
  });

  test("anything else stops the command naming the variable and its values", () => {
    assert.throws(
      () => loadConfig({ BACKFILL_PACING: "sometimes" }),
      (err: unknown) =>
        err instanceof ConfigError && /BACKFILL_PACING/.test(err.message) && /on or off/.test(err.message),
    );
  });
});
