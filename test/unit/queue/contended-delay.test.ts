import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { contendedDelayMs } from "../../../src/queue/retry-policy.js";

describe("contendedDelayMs: how long a contended batch waits before it comes back", () => {
  const middle = () => 0.5; // no jitter
  test("1 s after the first, doubling with each in a row, at most a minute", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 7, 8, 50].map((n) => contendedDelayMs(n, middle)),
      [1000, 1000, 2000, 4000, 8000, 60_000, 60_000, 60_000],
    );
  });
  test("jitter keeps it within a quarter either side", () => {
    assert.equal(
      contendedDelayMs(2, () => 0),
      1500,
    );
    assert.equal(
      contendedDelayMs(2, () => 0.999999),
      2499,
    );
  });
});
