import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../../src/config.js";
import { ConfigError } from "../../../src/errors.js";
import { decideThrottle, describe as describeReading } from "../../../src/run/throttle-decision.js";
import { walReadings } from "../../../src/run/wal-signals.js";

const MB = 1024 * 1024;
const ON = { maxWalMbPerS: 32, maxRequestedCheckpoints: 0 };

describe("WAL rate and checkpoint pressure", () => {
  test("the rate is the WAL written between two readings over the time between them", () => {
    const [rate, checkpoints] = walReadings(
      { atMs: 1000, walBytes: 100 * MB, requestedCheckpoints: 7 },
      { atMs: 3000, walBytes: 196 * MB, requestedCheckpoints: 9 },
      ON,
    );
    assert.equal(rate?.value, 48 * MB);
    assert.equal(checkpoints?.value, 2);
    const verdict = decideThrottle(
      walReadings(undefined, { atMs: 0, walBytes: 0, requestedCheckpoints: 0 }, ON),
      new Set(),
    );
    assert.equal(verdict.tier, "clear", "nothing to compare with on the first reading");
  });

  test("labels read as the operator sets them", () => {
    const readings = walReadings(
      { atMs: 0, walBytes: 0, requestedCheckpoints: 3 },
      { atMs: 1000, walBytes: 48 * MB, requestedCheckpoints: 4 },
      ON,
    );
    const verdict = decideThrottle(readings, new Set());
    assert.equal(verdict.tier, "throttle");
    assert.equal(verdict.reason, "WAL rate 48 MB/s > 32 MB/s; requested checkpoints 1 > 0");
    assert.equal(describeReading({ ...readings[0]!, value: 2.5 * MB }, 4 * MB), "WAL rate 2.5 MB/s > 4 MB/s");
  });

  test("off when unset; a counter going back (a statistics reset) reads 0", () => {
    const readings = walReadings(
      { atMs: 0, walBytes: 0, requestedCheckpoints: 0 },
      { atMs: 1000, walBytes: 900 * MB, requestedCheckpoints: 50 },
      {},
    );
    assert.equal(decideThrottle(readings, new Set()).tier, "clear");
    const reset = walReadings(
      { atMs: 0, walBytes: 0, requestedCheckpoints: 50 },
      { atMs: 1000, walBytes: 0, requestedCheckpoints: 1 },
      ON,
    );
    assert.deepEqual(
      reset.map((r) => r.value),
      [0, 0],
    );
  });

  test("hysteresis: once holding, the rate must fall below 80% of the line", () => {
    const at = (mbPerS: number) =>
      walReadings(
        { atMs: 0, walBytes: 0, requestedCheckpoints: 0 },
        { atMs: 1000, walBytes: mbPerS * MB, requestedCheckpoints: 0 },
        ON,
      );
    assert.equal(decideThrottle(at(30), new Set(["wal_rate"])).tier, "throttle");
    assert.equal(decideThrottle(at(20), new Set(["wal_rate"])).tier, "clear");
  });

  test("config: both unset by default; bad values name the variable", () => {
    const c = loadConfig({});
    assert.deepEqual([c.maxWalMbPerS, c.maxRequestedCheckpoints], [undefined, undefined]);
    const set = loadConfig({ BACKFILL_MAX_WAL_MB_PER_SECOND: "32", BACKFILL_MAX_REQUESTED_CHECKPOINTS: "0" });
    assert.deepEqual([set.maxWalMbPerS, set.maxRequestedCheckpoints], [32, 0]);
    for (const env of [
      { BACKFILL_MAX_WAL_MB_PER_SECOND: "0" },
      { BACKFILL_MAX_WAL_MB_PER_SECOND: "fast" },
      { BACKFILL_MAX_REQUESTED_CHECKPOINTS: "-1" },
      { BACKFILL_MAX_REQUESTED_CHECKPOINTS: "1.5" },
    ]) {
      const name = Object.keys(env)[0];
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && err.variable === name,
      );
    }
  });
});
