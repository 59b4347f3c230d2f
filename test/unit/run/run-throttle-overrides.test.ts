import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideThrottle, type SignalReading } from "../../../src/run/throttle-decision.js";
import {
  runThrottleOverrides,
  windowReading,
  withRunLagLine,
} from "../../../src/run/run-throttle-overrides.js";

const row = { time_window: "22:00-06:00", time_zone: "Europe/Berlin", max_replica_lag_s: null };
const lag = (value: number): SignalReading => ({
  name: "replay_lag",
  label: "replay lag",
  value,
  unit: "seconds",
  max: 5,
  critical: 120,
});

describe("a run's own throttle settings", () => {
  test("outside the window the run is throttled with reason `window …`; inside it is clear", () => {
    const { window } = runThrottleOverrides(row);
    assert.ok(window);
    const noon = windowReading(window, Date.parse("2026-01-15T11:00:00Z"));
    assert.deepEqual(decideThrottle([noon], new Set()), {
      tier: "throttle",
      reason: "window 22:00-06:00 Europe/Berlin",
      holding: ["window"],
    });
    const night = windowReading(window, Date.parse("2026-01-15T23:00:00Z"));
    assert.equal(decideThrottle([night], new Set(["window"])).tier, "clear");
  });

  test("no window, no lag line: nothing to add; a stored window that cannot be read throttles", () => {
    assert.deepEqual(
      runThrottleOverrides({ time_window: null, time_zone: null, max_replica_lag_s: null }),
      {},
    );
    const bad = runThrottleOverrides({ ...row, time_zone: "Nowhere/Land" });
    assert.ok(bad.window);
    const verdict = decideThrottle([windowReading(bad.window, 0)], new Set());
    assert.equal(verdict.tier, "throttle");
    assert.match(verdict.reason, /^window unreadable: 22:00-06:00 Nowhere\/Land: .*'Nowhere\/Land'/);
  });

  test("the run's replica-lag line replaces the process's, the critical line stays", () => {
    assert.equal(runThrottleOverrides({ ...row, max_replica_lag_s: 30 }).maxReplicaLagS, 30);
    const [line] = withRunLagLine([lag(10)], 30);
    assert.deepEqual(line, { ...lag(10), max: 30 });
    assert.equal(decideThrottle([lag(10)], new Set()).tier, "throttle");
    assert.equal(decideThrottle(withRunLagLine([lag(10)], 30), new Set()).tier, "clear");
    assert.equal(decideThrottle(withRunLagLine([lag(3)], 2), new Set()).reason, "replay lag 3 s > 2 s");
  });
});
