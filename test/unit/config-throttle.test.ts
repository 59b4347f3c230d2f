import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";

describe("config: throttle variables", () => {
  test("defaults an operator expects", () => {
    const c = loadConfig({});
    assert.equal(c.maxReplicaLagS, 5);
    assert.equal(c.criticalReplicaLagS, 120);
    assert.equal(c.maxTransactionAgeS, 300);
    assert.equal(c.maxLockWaiters, 0);
    assert.equal(c.maxConnectionUse, 0.9);
    assert.equal(c.maxVacuums, undefined);
    assert.equal(c.throttleQuery, undefined);
    assert.equal(c.throttleUrl, undefined);
    assert.equal(c.throttleUrlTimeoutMs, 2000);
    assert.equal(c.throttleCheckMs, 5000);
    assert.equal(c.niceRatio, 0, "no rest after a batch unless asked for");
    assert.equal(loadConfig({ BACKFILL_NICE_RATIO: "1.5" }).niceRatio, 1.5);
  });

  test("values are parsed: fractions of seconds, fractions, a query and a URL", () => {
    const c = loadConfig({
      BACKFILL_MAX_REPLICA_LAG_SECONDS: "1.5",
      BACKFILL_MAX_CONNECTION_USE: "0.75",
      BACKFILL_MAX_LOCK_WAITERS: "3",
      BACKFILL_THROTTLE_QUERY: "SELECT throttled FROM ops.flags",
      BACKFILL_THROTTLE_URL: "http://127.0.0.1:8080/throttle",
      BACKFILL_THROTTLE_URL_TIMEOUT_SECONDS: "0.5",
    });
    assert.equal(c.maxReplicaLagS, 1.5);
    assert.equal(c.maxConnectionUse, 0.75);
    assert.equal(c.maxLockWaiters, 3);
    assert.equal(c.throttleQuery, "SELECT throttled FROM ops.flags");
    assert.equal(c.throttleUrl, "http://127.0.0.1:8080/throttle");
    assert.equal(c.throttleUrlTimeoutMs, 500);
  });

  const bad: [string, string][] = [
    ["BACKFILL_MAX_REPLICA_LAG_SECONDS", "-1"],
    ["BACKFILL_MAX_REPLICA_LAG_SECONDS", "0"],
    ["BACKFILL_CRITICAL_REPLICA_LAG_SECONDS", "soon"],
    ["BACKFILL_MAX_TRANSACTION_AGE_SECONDS", "0"],
    ["BACKFILL_MAX_LOCK_WAITERS", "-2"],
    ["BACKFILL_MAX_LOCK_WAITERS", "1.5"],
    ["BACKFILL_MAX_CONNECTION_USE", "0"],
    ["BACKFILL_MAX_CONNECTION_USE", "1.2"],
    ["BACKFILL_MAX_VACUUMS", "-1"],
    ["BACKFILL_THROTTLE_QUERY", "   "],
    ["BACKFILL_THROTTLE_URL", "ftp://example.test/x"],
    ["BACKFILL_THROTTLE_URL", "http://[::1/x"],
    ["BACKFILL_THROTTLE_URL", "http://example.test:99999/"],
    ["BACKFILL_THROTTLE_URL_TIMEOUT_SECONDS", "0"],
    ["BACKFILL_THROTTLE_CHECK_SECONDS", "-5"],
    ["BACKFILL_NICE_RATIO", "-1"],
    ["BACKFILL_NICE_RATIO", "101"],
    ["BACKFILL_NICE_RATIO", "half"],
  ];
  for (const [name, value] of bad) {
    test(`${name}=${JSON.stringify(value)} is refused in one line naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) =>
          err instanceof ConfigError && err.message.startsWith(name) && !err.message.includes("\n"),
      );
    });
  }

  test("a critical replay lag below the throttling one is refused in one line naming both", () => {
    assert.throws(
      () => loadConfig({ BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: "3" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message ===
          "BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: 3 is below BACKFILL_MAX_REPLICA_LAG_SECONDS (5): the run would be paused before it throttles; raise it or lower the other",
    );
    const equal = loadConfig({
      BACKFILL_MAX_REPLICA_LAG_SECONDS: "10",
      BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: "10",
    });
    assert.equal(equal.criticalReplicaLagS, 10);
  });
});
