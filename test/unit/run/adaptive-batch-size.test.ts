import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decideBatchSize,
  type AdaptiveSettings,
  type AdaptiveState,
  type BatchSample,
} from "../../../src/run/adaptive-batch-size.js";

const SETTINGS: AdaptiveSettings = { targetMs: 2000, minSize: 50, maxSize: 5000 };
const FRESH: AdaptiveState = { samplesSinceChange: 0 };

/** Batches of `size` tags at `msPerTag` each. */
const batches = (size: number, msPerTag: number, n = 2): BatchSample[] =>
  Array.from({ length: n }, () => ({ size, durationMs: size * msPerTag }));

/** Runs the rule tick after tick with batches whose cost is `msPerTag`, returning the sizes taken. */
function converge(start: number, msPerTag: number, ticks = 12, settings = SETTINGS): number[] {
  let size = start;
  let state = FRESH;
  const sizes = [size];
  for (let i = 0; i < ticks; i++) {
    const decision = decideBatchSize({
      currentSize: size,
      samples: batches(size, msPerTag),
      contended: false,
      state,
      settings,
    });
    state = decision.state;
    if (decision.change) size = decision.change.size;
    sizes.push(size);
  }
  return sizes;
}

/** Within the hysteresis of the 500 tags that take 2 s at 4 ms a tag. */
const nearTarget = (size: number) => Math.abs(size - 500) <= 0.2 * size;

describe("adaptive batch size", () => {
  test("grows toward the target from below, at most doubling per change", () => {
    // 4 ms a tag: 500 tags make 2 s.
    const sizes = converge(50, 4);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! <= sizes[i - 1]! * 2, `${sizes.join(",")}`);
    assert.ok(nearTarget(sizes.at(-1)!), `${sizes.join(",")}`);
  });

  test("shrinks toward the target from above, at most halving per change", () => {
    const sizes = converge(5000, 4);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! >= sizes[i - 1]! / 2, `${sizes.join(",")}`);
    assert.ok(nearTarget(sizes.at(-1)!), `${sizes.join(",")}`);
  });

  test("stays inside the bounds", () => {
    assert.equal(converge(1000, 0.01).at(-1), 5000);
    assert.equal(converge(1000, 1000).at(-1), 50);
  });

  test("a size outside the bounds is brought inside them", () => {
    const decision = decideBatchSize({
      currentSize: 10,
      samples: batches(10, 1000),
      contended: false,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.equal(decision.change?.size, 50);
  });

  test("holds on a difference within the hysteresis", () => {
    // 2.3 s a batch: the ideal size (435) is 13 % below 500.
    const decision = decideBatchSize({
      currentSize: 500,
      samples: batches(500, 4.6, 4),
      contended: false,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.equal(decision.change, undefined);
    assert.equal(decision.state.samplesSinceChange, 4);
  });

  test("waits for enough samples since the last change", () => {
    const decision = decideBatchSize({
      currentSize: 500,
      samples: batches(500, 40, 1),
      contended: false,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.equal(decision.change, undefined);
    assert.equal(decision.state.samplesSinceChange, 1);
  });

  test("smooths one slow batch", () => {
    const state: AdaptiveState = { msPerTag: 4, samplesSinceChange: 5 };
    const decision = decideBatchSize({
      currentSize: 500,
      samples: [{ size: 500, durationMs: 500 * 5 }],
      contended: false,
      state,
      settings: SETTINGS,
    });
    assert.equal(decision.change, undefined);
    assert.ok(Math.abs(decision.state.msPerTag! - 4.3) < 1e-9);
  });

  test("logs why in the reason", () => {
    const decision = decideBatchSize({
      currentSize: 1000,
      samples: batches(1000, 3.8),
      contended: false,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.deepEqual(decision.change, { size: 526, reason: "adaptive: 3.80 s per batch > 2.00 s target" });
    assert.equal(decision.state.samplesSinceChange, 0);
  });

  test("halves at once on contention, down to the minimum", () => {
    const decision = decideBatchSize({
      currentSize: 500,
      samples: [],
      contended: true,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.equal(decision.change?.size, 250);
    assert.match(decision.change?.reason ?? "", /contended/);
    const atMin = decideBatchSize({
      currentSize: 50,
      samples: [],
      contended: true,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.equal(atMin.change, undefined);
    const belowMin = decideBatchSize({
      currentSize: 10,
      samples: [],
      contended: true,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.equal(belowMin.change, undefined, "contention never grows the size");
  });

  test("ignores empty batches", () => {
    const decision = decideBatchSize({
      currentSize: 500,
      samples: [{ size: 0, durationMs: 10 }],
      contended: false,
      state: FRESH,
      settings: SETTINGS,
    });
    assert.deepEqual(decision.state, { samplesSinceChange: 0 });
  });
});
