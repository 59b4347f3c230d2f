import assert from "node:assert/strict";
import { test } from "node:test";
import { classesMissing, reprocessProperties, SEEDS } from "./reprocess-properties.js";

// Issue 11's invariants of reprocess --force, seed 5 of 5; and that the seeds cover every class.
reprocessProperties(SEEDS.slice(4));

test("the seeds give every defect class and stored-manifest kind a visible tag", () => {
  assert.deepEqual(classesMissing(SEEDS), []);
});
