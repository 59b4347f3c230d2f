import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import { quietThrottle } from "../support/quiet-throttle.js";
import { batchSpans, freshPass, passSuite, slowPass } from "./paced-pass-support.js";

describe("the nice ratio (BACKFILL_NICE_RATIO, run --nice-ratio, tune --nice-ratio)", () => {
  const suite = passSuite("nice-ratio", 4);

  /** One pass with one worker slot and 300 ms batches; per later batch, how long it took and the gap before it. */
  async function pass(processRatio: number, runRatio?: number) {
    const { tdb } = suite;
    await freshPass(tdb.db);
    const throttle = new ThrottleChecker(tdb.db, quietThrottle({ niceRatio: processRatio }));
    const out = await slowPass(suite, throttle, 1, runRatio === undefined ? {} : { niceRatio: runRatio });
    assert.equal(out.run.status, "completed");
    const batches = await batchSpans(tdb.db, out.run.id);
    assert.equal(batches.length, 4, "8 tags in batches of 2");
    return batches.slice(1).map((next, i) => {
      const prev = batches[i] ?? next;
      return { took: prev.end - prev.start, gap: next.start - prev.end };
    });
  }

  test("ratio 1: after each batch its slot rests as long as the batch took before claiming the next", async () => {
    for (const [i, { took, gap }] of (await pass(1)).entries()) {
      assert.ok(took >= 300, `batch ${i} took ${took} ms`);
      // The rest counts from the claim to the handler's end, a little more than started_at..finished_at.
      assert.ok(
        gap >= took * 0.9,
        `batch ${i + 1} claimed ${gap} ms after the previous one ended (${took} ms)`,
      );
    }
  });

  test("the run's own ratio replaces the process's: 1 over 0 rests, 0 over 1 does not", async () => {
    for (const { took, gap } of await pass(0, 1))
      assert.ok(gap >= took * 0.9, `gap ${gap} ms after ${took} ms`);
    for (const { took, gap } of await pass(1, 0))
      assert.ok(gap < took * 0.5, `gap ${gap} ms after ${took} ms`);
  });
});
