import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";

describe("config: adaptive batch size variables", () => {
  test("defaults: 2 s a batch, 50 to 5000 tags", () => {
    const c = loadConfig({});
    assert.deepEqual([c.targetBatchMs, c.minBatchSize, c.maxBatchSize], [2000, 50, 5000]);
  });

  test("a target in fractions of seconds; 0 or off turns adaptation off", () => {
    assert.equal(loadConfig({ BACKFILL_TARGET_BATCH_SECONDS: "0.3" }).targetBatchMs, 300);
    assert.equal(loadConfig({ BACKFILL_TARGET_BATCH_SECONDS: "0" }).targetBatchMs, 0);
    assert.equal(loadConfig({ BACKFILL_TARGET_BATCH_SECONDS: "off" }).targetBatchMs, 0);
    assert.equal(loadConfig({ BACKFILL_TARGET_BATCH_SECONDS: "OFF" }).targetBatchMs, 0);
  });

  test("a bad value is a one-line ConfigError naming the variable", () => {
    const cases: Record<string, string>[] = [
      { BACKFILL_TARGET_BATCH_SECONDS: "soon" },
      { BACKFILL_TARGET_BATCH_SECONDS: "-1" },
      { BACKFILL_MIN_BATCH_SIZE: "0" },
      { BACKFILL_MAX_BATCH_SIZE: "1.5" },
      { BACKFILL_MAX_BATCH_SIZE: "20000" },
    ];
    for (const env of cases) {
      const name = Object.keys(env)[0]!;
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && err.variable === name && !err.message.includes("\n"),
        name,
      );
    }
  });

  test("a minimum above the maximum names the minimum", () => {
    assert.throws(
      () => loadConfig({ BACKFILL_MIN_BATCH_SIZE: "600", BACKFILL_MAX_BATCH_SIZE: "500" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message === "BACKFILL_MIN_BATCH_SIZE: 600 is above BACKFILL_MAX_BATCH_SIZE (500)",
    );
  });
});
