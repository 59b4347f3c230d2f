import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IDLE_AFTER_SECONDS, noWorker } from "../../../src/run/worker-presence.js";

describe("noWorker", () => {
  const long = IDLE_AFTER_SECONDS + 1;
  test("a running run with no live lease and nothing claimed for long has no worker", () => {
    assert.equal(noWorker("running", { liveLeases: 0, idleSeconds: long }, 3600), true);
    assert.equal(noWorker("running", { liveLeases: 0, idleSeconds: null }, 3600), true);
  });
  test("a live lease, a recent claim, or a run just (re)started counts as served", () => {
    assert.equal(noWorker("running", { liveLeases: 1, idleSeconds: long }, 3600), false);
    assert.equal(noWorker("running", { liveLeases: 0, idleSeconds: 5 }, 3600), false);
    assert.equal(noWorker("running", { liveLeases: 0, idleSeconds: null }, 5), false);
  });
  test("only running runs are judged", () => {
    for (const status of ["paused", "completed", "cancelled", "pending", "failed"]) {
      assert.equal(noWorker(status, { liveLeases: 0, idleSeconds: null }, 3600), false);
    }
  });
});
