import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";

test("BACKFILL_SCHEMA_CHECK: enforce by default; warn and off accepted; anything else names the choices", () => {
  assert.equal(loadConfig({}).schemaCheck, "enforce");
  assert.equal(loadConfig({ BACKFILL_SCHEMA_CHECK: "warn" }).schemaCheck, "warn");
  assert.equal(loadConfig({ BACKFILL_SCHEMA_CHECK: " OFF " }).schemaCheck, "off");
  assert.throws(
    () => loadConfig({ BACKFILL_SCHEMA_CHECK: "skip" }),
    (err: unknown) =>
      err instanceof ConfigError && /^BACKFILL_SCHEMA_CHECK: expected enforce .*warn .*off/.test(err.message),
  );
});

test("a MySQL or MariaDB DATABASE_URL is refused as such: only PostgreSQL is supported", () => {
  for (const url of [
    "mysql://quay:pw@db:3306/quay",
    "mariadb://quay@db/quay",
    "mysql+pymysql://quay:pw@db/quay",
    "MySQL://db/quay",
  ]) {
    assert.throws(
      () => loadConfig({ DATABASE_URL: url }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /^DATABASE_URL: a MySQL\/MariaDB URL: only PostgreSQL is supported/.test(err.message) &&
        !err.message.includes("pw@"),
      url,
    );
  }
  // Another scheme keeps the general message.
  assert.throws(
    () => loadConfig({ DATABASE_URL: "sqlite://x" }),
    (err: unknown) =>
      err instanceof ConfigError && /expected a postgres:\/\/ connection URL/.test(err.message),
  );
  assert.equal(loadConfig({ DATABASE_URL: "postgresql://h/db" }).databaseUrl, "postgresql://h/db");
});
