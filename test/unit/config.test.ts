import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig, redactUrl } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";

describe("config", () => {
  test("defaults point at the local services", () => {
    const config = loadConfig({});
    assert.equal(config.databaseUrl, "postgres://root@127.0.0.1:5432/test");
    assert.equal(config.redisUrl, "redis://127.0.0.1:6379");
    assert.equal(config.libraryNamespace, "library");
    assert.equal(config.manifestMaxBytes, 3145728);
    assert.equal(config.signingKeyFile, undefined);
    assert.ok(Object.isFrozen(config));
  });

  test("values from the environment are parsed and typed", () => {
    const config = loadConfig({ BACKFILL_BATCH_SIZE: "250", BACKFILL_CONCURRENCY: "4", LOG_LEVEL: "debug" });
    assert.equal(config.batchSize, 250);
    assert.equal(config.concurrency, 4);
    assert.equal(config.logLevel, "debug");
  });

  test("the connect timeout is given in seconds and kept in milliseconds (10 s by default)", () => {
    assert.equal(loadConfig({}).connectTimeoutMs, 10_000);
    assert.equal(loadConfig({ BACKFILL_CONNECT_TIMEOUT_SECONDS: "3" }).connectTimeoutMs, 3000);
  });

  test("the session guards: statement 60 s, lock 500 ms, idle in transaction 60 s by default", () => {
    const config = loadConfig({});
    assert.equal(config.statementTimeoutMs, 60_000);
    assert.equal(config.lockTimeoutMs, 500);
    assert.equal(config.idleInTransactionTimeoutMs, 60_000);
    const set = loadConfig({
      BACKFILL_STATEMENT_TIMEOUT_SECONDS: "120",
      BACKFILL_LOCK_TIMEOUT_MS: "200",
      BACKFILL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: "30",
    });
    assert.deepEqual(
      [set.statementTimeoutMs, set.lockTimeoutMs, set.idleInTransactionTimeoutMs],
      [120_000, 200, 30_000],
    );
  });

  const bad: [string, string, RegExp][] = [
    ["DATABASE_URL", "mysql://x", /DATABASE_URL: a MySQL\/MariaDB URL: only PostgreSQL is supported/],
    ["DATABASE_URL", "sqlite://x", /DATABASE_URL: expected a postgres:\/\/ connection URL/],
    ["REDIS_URL", "127.0.0.1:6379", /REDIS_URL: expected a redis:\/\//],
    ["BACKFILL_BATCH_SIZE", "ten", /BACKFILL_BATCH_SIZE: expected an integer from 1 to 10000/],
    ["BACKFILL_BATCH_SIZE", "0", /BACKFILL_BATCH_SIZE/],
    ["BACKFILL_CONCURRENCY", "1000", /BACKFILL_CONCURRENCY/],
    ["BACKFILL_MANIFEST_MAX_BYTES", "12", /BACKFILL_MANIFEST_MAX_BYTES/],
    ["BACKFILL_QUEUE_PREFIX", "a:b", /no ':'/],
    ["LOG_LEVEL", "loud", /LOG_LEVEL: expected one of/],
    ["DATABASE_URL", "postgres://root@[::1:5499/x", /DATABASE_URL: cannot be parsed as a URL/],
    ["DATABASE_URL", "postgres://root@127.0.0.1:99999/x", /DATABASE_URL: cannot be parsed as a URL/],
    ["REDIS_URL", "redis://[::1:6379", /REDIS_URL: cannot be parsed as a URL/],
    [
      "BACKFILL_CONNECT_TIMEOUT_SECONDS",
      "0",
      /BACKFILL_CONNECT_TIMEOUT_SECONDS: expected an integer number of seconds/,
    ],
    ["BACKFILL_CONNECT_TIMEOUT_SECONDS", "2s", /BACKFILL_CONNECT_TIMEOUT_SECONDS/],
    ["BACKFILL_STATEMENT_TIMEOUT_SECONDS", "0", /BACKFILL_STATEMENT_TIMEOUT_SECONDS: expected an integer/],
    ["BACKFILL_STATEMENT_TIMEOUT_SECONDS", "-5", /BACKFILL_STATEMENT_TIMEOUT_SECONDS/],
    ["BACKFILL_LOCK_TIMEOUT_MS", "0", /BACKFILL_LOCK_TIMEOUT_MS: expected an integer number of milliseconds/],
    ["BACKFILL_LOCK_TIMEOUT_MS", "-1", /BACKFILL_LOCK_TIMEOUT_MS/],
    ["BACKFILL_LOCK_TIMEOUT_MS", "0.5s", /BACKFILL_LOCK_TIMEOUT_MS/],
    ["BACKFILL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS", "0", /BACKFILL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS/],
    ["BACKFILL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS", "x", /BACKFILL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS/],
  ];
  for (const [variable, value, message] of bad) {
    test(`${variable}=${value} stops with a message naming the variable`, () => {
      assert.throws(
        () => loadConfig({ [variable]: value }),
        (err: unknown) =>
          err instanceof ConfigError && err.variable === variable && message.test(err.message),
      );
    });
  }

  test("a bad value's message never echoes a password", () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: "mysql://admin:hunter2@db/x" }),
      (err: unknown) => err instanceof Error && !err.message.includes("hunter2"),
    );
    assert.equal(redactUrl("postgres://admin:hunter2@db:5432/x"), "postgres://admin:***@db:5432/x");
  });
});
