import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";
import { commitReading, probeLatencyMs, probeReading } from "../../src/run/probe-latency.js";
import { decideThrottle } from "../../src/run/throttle-decision.js";
import { throttleSettings } from "../../src/run/throttle-settings.js";

describe("the database response-time signal", () => {
  test("the median of the samples: one slow probe alone does not count", () => {
    assert.equal(probeLatencyMs([3, 900, 2]), 3);
    assert.equal(probeLatencyMs([120, 2, 95]), 95);
    assert.equal(probeLatencyMs([4, 1, 10, 2]), 3);
    assert.equal(probeLatencyMs([7]), 7);
    assert.ok(Number.isNaN(probeLatencyMs([])));
  });

  test("over the line it throttles in words, and holds until below 80% of it", () => {
    const slow = decideThrottle([probeReading([84.2, 90, 12], 50)], new Set());
    assert.equal(slow.tier, "throttle");
    assert.equal(slow.reason, "database response 84 ms > 50 ms");
    assert.deepEqual(slow.holding, ["response_time"]);
    const hovering = decideThrottle([probeReading([45, 44, 46], 50)], new Set(slow.holding));
    assert.equal(hovering.tier, "throttle");
    assert.match(hovering.reason, /database response 45 ms > 40 ms \(resumes below\)/);
    assert.equal(decideThrottle([probeReading([39, 2, 1], 50)], new Set(slow.holding)).tier, "clear");
    assert.equal(decideThrottle([probeReading([45, 44, 46], 50)], new Set()).tier, "clear");
  });

  test("no threshold: the signal never throttles, however slow", () => {
    assert.equal(decideThrottle([probeReading([5000, 5000, 5000], undefined)], new Set()).tier, "clear");
  });

  test("BACKFILL_MAX_PROBE_LATENCY_MS: 50 ms by default, a number, or 0/off for not probed", () => {
    assert.equal(loadConfig({}).maxProbeLatencyMs, 50);
    assert.equal(throttleSettings(loadConfig({})).maxProbeLatencyMs, 50);
    assert.equal(loadConfig({ BACKFILL_MAX_PROBE_LATENCY_MS: "12.5" }).maxProbeLatencyMs, 12.5);
    for (const off of ["off", "OFF", "0"]) {
      const c = loadConfig({ BACKFILL_MAX_PROBE_LATENCY_MS: off });
      assert.equal(throttleSettings(c).maxProbeLatencyMs, undefined, off);
    }
  });

  for (const value of ["-1", "fast", "60001", "10ms"]) {
    test(`BACKFILL_MAX_PROBE_LATENCY_MS=${JSON.stringify(value)} is refused in one line`, () => {
      assert.throws(
        () => loadConfig({ BACKFILL_MAX_PROBE_LATENCY_MS: value }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.startsWith("BACKFILL_MAX_PROBE_LATENCY_MS") &&
          /milliseconds from 0 to 60000/.test(err.message) &&
          !err.message.includes("\n"),
      );
    });
  }
});

describe("the commit-latency signal", () => {
  test("off unless BACKFILL_MAX_COMMIT_LATENCY_MS is set; a number of ms, or 0/off", () => {
    assert.equal(throttleSettings(loadConfig({})).maxCommitLatencyMs, undefined);
    assert.equal(
      throttleSettings(loadConfig({ BACKFILL_MAX_COMMIT_LATENCY_MS: "20" })).maxCommitLatencyMs,
      20,
    );
    for (const off of ["off", "0"]) {
      const c = loadConfig({ BACKFILL_MAX_COMMIT_LATENCY_MS: off });
      assert.equal(throttleSettings(c).maxCommitLatencyMs, undefined, off);
    }
    for (const value of ["-1", "slow", "60001"]) {
      assert.throws(
        () => loadConfig({ BACKFILL_MAX_COMMIT_LATENCY_MS: value }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.startsWith("BACKFILL_MAX_COMMIT_LATENCY_MS") &&
          /durable-commit time/.test(err.message),
        value,
      );
    }
  });

  test("the median of the commits over the line throttles, in words", () => {
    const slow = decideThrottle([commitReading([38.4, 41, 2], 20)], new Set());
    assert.equal(slow.tier, "throttle");
    assert.equal(slow.reason, "commit latency 38 ms > 20 ms");
    assert.equal(decideThrottle([commitReading([3, 4, 90], 20)], new Set()).tier, "clear");
  });
});
