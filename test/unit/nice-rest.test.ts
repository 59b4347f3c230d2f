import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_NICE_REST_MS, niceRestMs } from "../../jobs/nice-rest.js";

test("the nice ratio's rest is ratio × the batch's duration, none for 0 or unset, at most the cap", () => {
  assert.equal(niceRestMs(1, 2000), 2000);
  assert.equal(niceRestMs(0.5, 1999), 1000);
  assert.equal(niceRestMs(0, 2000), 0);
  assert.equal(niceRestMs(undefined, 2000), 0);
  assert.equal(niceRestMs(2, Number.NaN), 0);
  assert.equal(niceRestMs(100, 60_000), MAX_NICE_REST_MS);
});
