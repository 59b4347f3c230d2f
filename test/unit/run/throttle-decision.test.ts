import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideThrottle, type SignalReading } from "../../../src/run/throttle-decision.js";

const lag = (value: number): SignalReading => ({
  name: "replay_lag",
  label: "replay lag",
  value,
  unit: "seconds",
  max: 1,
  critical: 10,
});
const use = (value: number): SignalReading => ({
  name: "connection_use",
  label: "connection use",
  value,
  unit: "fraction",
  max: 0.9,
});

describe("throttle decision", () => {
  test("every signal under its threshold: clear", () => {
    assert.deepEqual(decideThrottle([lag(0.5), use(0.5)], new Set()), {
      tier: "clear",
      reason: "",
      holding: [],
    });
  });

  test("a signal over its threshold throttles, with the value and the line in the reason", () => {
    const v = decideThrottle([lag(3.14), use(0.5)], new Set());
    assert.equal(v.tier, "throttle");
    assert.equal(v.reason, "replay lag 3.1 s > 1 s");
    assert.deepEqual(v.holding, ["replay_lag"]);
  });

  test("several signals over: all of them in the reason", () => {
    const v = decideThrottle([lag(2), use(0.95)], new Set());
    assert.equal(v.reason, "replay lag 2 s > 1 s; connection use 95% > 90%");
    assert.deepEqual(v.holding, ["replay_lag", "connection_use"]);
  });

  test("hysteresis: once holding, a signal holds until it is below 80% of its threshold", () => {
    const holding = new Set(["replay_lag"]);
    // Under the threshold but above the resume level: still throttled.
    const still = decideThrottle([lag(0.9)], holding);
    assert.equal(still.tier, "throttle");
    assert.equal(still.reason, "replay lag 0.9 s > 0.8 s (resumes below)");
    // At or below the resume level: clear.
    assert.equal(decideThrottle([lag(0.8)], holding).tier, "clear");
    // The same value without the history is clear at once.
    assert.equal(decideThrottle([lag(0.9)], new Set()).tier, "clear");
  });

  test("past the critical threshold: critical, whatever else holds", () => {
    const v = decideThrottle([lag(12), use(0.95)], new Set());
    assert.equal(v.tier, "critical");
    assert.equal(v.reason, "critical: replay lag 12 s > 10 s");
  });

  test("a signal without a threshold is not considered", () => {
    assert.equal(
      decideThrottle([{ ...lag(100), max: undefined, critical: undefined }], new Set()).tier,
      "clear",
    );
  });

  test("flags: raised throttles with their detail, lowered clears at once", () => {
    const flag = (value: number): SignalReading => ({
      name: "url",
      label: "throttle URL",
      value,
      unit: "flag",
      max: 0,
      detail: "HTTP 503",
    });
    assert.equal(decideThrottle([flag(1)], new Set()).reason, "throttle URL: HTTP 503");
    assert.equal(decideThrottle([flag(0)], new Set(["url"])).tier, "clear");
  });

  test("a zero threshold (lock waiters): any waiter throttles, none clears", () => {
    const waiters = (value: number): SignalReading => ({
      name: "lock_waiters",
      label: "sessions waiting on backfill locks",
      value,
      unit: "count",
      max: 0,
    });
    assert.equal(decideThrottle([waiters(1)], new Set()).reason, "sessions waiting on backfill locks 1 > 0");
    assert.equal(decideThrottle([waiters(0)], new Set(["lock_waiters"])).tier, "clear");
  });
});
