import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ADMIN_URL } from "../support/test-database.js";
import { runCli } from "./run-support.js";

/** Redis points at a closed port: nothing here may need it. */
const NO_REDIS = { REDIS_URL: "redis://127.0.0.1:1" };

/** One line that says what to fix: no stack frames, no warning from a library. */
function assertOneLine(stderr: string): void {
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.doesNotMatch(stderr, /^\s+at |Warning|Error:/m);
}

describe("a configuration value the drivers cannot use stops the command with one line, exit 2", () => {
  test("an unparseable DATABASE_URL (an IPv6 bracket left open, port 99999) names the variable, no password", async () => {
    for (const url of [
      "postgres://root:hunter2pw@[::1:5499/x",
      "postgres://root:hunter2pw@127.0.0.1:99999/x",
    ]) {
      for (const args of [["status"], ["run", "--dry-run", "--no-progress"]]) {
        const out = await runCli(args, { ...NO_REDIS, DATABASE_URL: url });
        assert.equal(out.status, 2, `${url} ${args.join(" ")}: ${out.stderr}`);
        assertOneLine(out.stderr);
        assert.match(
          out.stderr,
          /^backfill: DATABASE_URL: cannot be parsed as a URL: check the host .* and the port/,
        );
        assert.doesNotMatch(out.stdout + out.stderr, /hunter2pw/);
      }
    }
  });

  test("an unparseable REDIS_URL is refused the same way", async () => {
    const out = await runCli(["run", "--dry-run", "--no-progress"], { REDIS_URL: "redis://:pw@[::1:6379" });
    assert.equal(out.status, 2, out.stderr);
    assertOneLine(out.stderr);
    assert.match(out.stderr, /^backfill: REDIS_URL: cannot be parsed as a URL/);
  });

  test("sslmode=require against a server without TLS: what to change, and no pg deprecation warning", async () => {
    const url = new URL(ADMIN_URL);
    url.searchParams.set("sslmode", "require");
    const out = await runCli(["status"], { ...NO_REDIS, DATABASE_URL: url.toString() });
    assert.equal(out.status, 2, out.stderr);
    assertOneLine(out.stderr);
    assert.match(
      out.stderr,
      /does not accept TLS, which DATABASE_URL's sslmode asks for: enable TLS on the server or set sslmode=disable/,
    );
  });

  test("a run id beyond bigint: status --run and pause say what a run id is", async () => {
    for (const args of [
      ["status", "--run", "99999999999999999999"],
      ["pause", "99999999999999999999"],
    ]) {
      const out = await runCli(args, { ...NO_REDIS, DATABASE_URL: ADMIN_URL });
      assert.equal(out.status, 2, out.stderr);
      assertOneLine(out.stderr);
      assert.match(out.stderr, /expects a run id \(an integer from 1, .*\), got '99999999999999999999'/);
    }
  });

  test("a session guard that is negative, zero or not a number stops `run` with one line naming it", async () => {
    for (const [variable, value] of [
      ["BACKFILL_LOCK_TIMEOUT_MS", "-5"],
      ["BACKFILL_STATEMENT_TIMEOUT_SECONDS", "abc"],
      ["BACKFILL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS", "0"],
    ] as const) {
      const out = await runCli(["run", "--dry-run", "--no-progress"], { ...NO_REDIS, [variable]: value });
      assert.equal(out.status, 2, `${variable}=${value}: ${out.stderr}`);
      assertOneLine(out.stderr);
      assert.match(out.stderr, new RegExp(`^backfill: ${variable}: expected an integer`));
    }
  });

  test("a throttle threshold that is negative or nonsense stops `run` and `worker` with one line naming it, exit 2", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ BACKFILL_MAX_REPLICA_LAG_SECONDS: "-1" }, /^backfill: BACKFILL_MAX_REPLICA_LAG_SECONDS: expected /],
      [{ BACKFILL_MAX_CONNECTION_USE: "1.5" }, /^backfill: BACKFILL_MAX_CONNECTION_USE: expected /],
      [{ BACKFILL_THROTTLE_URL_TIMEOUT_SECONDS: "-2" }, /^backfill: BACKFILL_THROTTLE_URL_TIMEOUT_SECONDS: /],
      [{ BACKFILL_TARGET_BATCH_SECONDS: "-2" }, /^backfill: BACKFILL_TARGET_BATCH_SECONDS: /],
      [
        { BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: "2" },
        /^backfill: BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: 2 is below BACKFILL_MAX_REPLICA_LAG_SECONDS \(5\)/,
      ],
    ];
    for (const [env, pattern] of cases) {
      for (const args of [["run", "--dry-run", "--no-progress"], ["worker"]]) {
        const out = await runCli(args, { ...NO_REDIS, ...env });
        assert.equal(out.status, 2, `${JSON.stringify(env)} ${args[0]}: ${out.stderr}`);
        assertOneLine(out.stderr);
        assert.match(out.stderr, pattern);
      }
    }
  });
});
