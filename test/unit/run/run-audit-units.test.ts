import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import { loadConfig } from "../../../src/config.js";
import { createLogger } from "../../../src/log.js";
import { CONTROL_RULES } from "../../../src/run/control-run.js";
import { DbHealth } from "../../../src/run/db-health.js";
import { heapLimitProblem, heapSafeBatchSize } from "../../../src/run/heap-limit-check.js";
import { redactArgv, redactedConfig, redactSecretUrl } from "../../../src/run/run-audit.js";

describe("audit redaction", () => {
  test("URLs lose their password and secret-looking parameters, nothing else", () => {
    assert.equal(
      redactSecretUrl("postgres://app:s3cret@db:5432/quay?sslmode=require&sslpassword=x&token=y"),
      "postgres://app:***@db:5432/quay?sslmode=require&sslpassword=***&token=***",
    );
    assert.equal(redactSecretUrl("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    assert.equal(redactSecretUrl("not a url"), "<unparseable url>");
  });

  test("the stored command line blanks secrets pasted into it", () => {
    assert.deepEqual(
      redactArgv([
        "run",
        "--batch-size",
        "5",
        "--token=abc",
        "--password",
        "hunter2",
        "postgres://u:pw@h/db",
      ]),
      ["run", "--batch-size", "5", "--token=***", "--password", "***", "postgres://u:***@h/db"],
    );
    assert.deepEqual(redactArgv(["run", "--signing-key-file", "/k.pem"]), [
      "run",
      "--signing-key-file",
      "/k.pem",
    ]);
  });

  test("the stored config holds both URLs without passwords and the key file by path", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://app:dbpw@db/quay",
      REDIS_URL: "redis://:redispw@cache:6379",
      BACKFILL_SIGNING_KEY_FILE: "/keys/registry.pem",
    });
    const stored = JSON.stringify(redactedConfig(config));
    assert.ok(!stored.includes("dbpw") && !stored.includes("redispw"), stored);
    assert.match(stored, /"signingKeyFile":"\/keys\/registry.pem"/);
  });

  test("the stored config holds the adaptive target and bounds, the maximum within this heap", () => {
    const config = loadConfig({ BACKFILL_MAX_BATCH_SIZE: "10000" });
    const stored = redactedConfig(config, { concurrency: 8, targetBatchMs: 500 });
    assert.equal(stored.targetBatchMs, 500);
    assert.equal(stored.configuredMaxBatchSize, 10000);
    assert.equal(stored.heapMaxBatchSize, heapSafeBatchSize(8));
    assert.equal(stored.maxBatchSize, Math.min(10000, heapSafeBatchSize(8)));
    assert.equal(heapLimitProblem(stored.maxBatchSize, 8), undefined);
    assert.equal(redactedConfig(loadConfig({})).targetBatchMs, 2000);
  });
});

describe("run control rules", () => {
  test("pause a running run, resume a paused one, cancel any active one; terminal runs stay", () => {
    assert.deepEqual(CONTROL_RULES.pause, { from: ["pending", "running"], to: "paused" });
    assert.deepEqual(CONTROL_RULES.resume, { from: ["paused"], to: "running" });
    assert.deepEqual(CONTROL_RULES.cancel, { from: ["pending", "running", "paused"], to: "cancelled" });
    for (const rule of Object.values(CONTROL_RULES)) {
      for (const terminal of ["completed", "failed", "cancelled"] as const) {
        assert.ok(!rule.from.includes(terminal));
      }
    }
  });
});

describe("DbHealth", () => {
  test("the delay follows the outage's length, not the number of failed jobs; logged once each way", () => {
    const chunks: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: new Writable({
        write(c: Buffer, _e, cb) {
          chunks.push(c.toString());
          cb();
        },
      }),
    });
    const health = new DbHealth(logger, 1000, 30_000);
    const delays = Array.from({ length: 50 }, () => health.markDown(new Error("ECONNREFUSED")));
    // Fifty jobs failing at once in a fresh outage all come back within about the base delay.
    assert.ok(Math.max(...delays) <= 1250, String(Math.max(...delays)));
    assert.ok(Math.min(...delays) >= 750);
    assert.equal(health.down, true);
    health.markUp();
    health.markUp();
    assert.equal(health.down, false);
    const events = chunks
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { event: string }).event);
    assert.deepEqual(events, ["db.unavailable", "db.recovered"]);
  });
});
