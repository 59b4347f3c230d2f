import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { CliProcess } from "./cli-process.js";
import { PrivateRedis, SilentListener } from "./outage-support.js";

const PASSWORD = "redis-pw-never-shown-5c1d";
const CONNECT_TIMEOUT_S = 2;
const SHUTDOWN_S = 3;
/**
 * Starting the CLI (tsx, imports) takes several seconds on a loaded machine: every bound below is the
 * behaviour's own time plus this.
 */
const STARTUP_MS = 45_000;
/** Past this a process counts as hung (and is killed): before the fix each of these ran for minutes. */
const HUNG_MS = 90_000;

/**
 * Hangs and ignored signals, through the real CLI, against servers the test owns: a loopback port that
 * accepts and never answers, a private redis-server with a password, frozen (SIGSTOP) mid-run.
 */
describe("connections time out and the stop deadline holds", () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let silent: SilentListener;
  let key: SigningKeyFile;

  before(async () => {
    key = createSigningKeyFile("hangs");
    redis = await PrivateRedis.start({ password: PASSWORD });
    silent = await SilentListener.start();
    db = await createTestDatabase("hangs");
    const seed = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "seed", "--tags", "3000", "--seed", "hangs"],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: db.url }, encoding: "utf8" },
    );
    assert.equal(seed.status, 0, seed.stderr);
  });

  after(async () => {
    await redis.kill();
    await silent.close();
    await db.drop();
    key.remove();
  });

  const env = (over: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    BACKFILL_SIGNING_KEY_FILE: key.path,
    BACKFILL_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_S),
    ...over,
  });

  /** Runs the commands one after the other (in parallel they would slow each other's start); each one's exit code, output and time taken. */
  async function runAll(commands: { args: string[]; env: Record<string, string> }[]) {
    const outcomes = [];
    for (const { args, env: vars } of commands) {
      const startedAt = Date.now();
      const child = new CliProcess(args, vars);
      const code = await child.exit(HUNG_MS);
      outcomes.push({ args: args.join(" "), code, ms: Date.now() - startedAt, child });
    }
    return outcomes;
  }

  /** The child's last output line is one line saying what to fix: no stack. */
  function assertOneLineVerdict(child: CliProcess, pattern: RegExp): void {
    const text = child.output.trim();
    assert.doesNotMatch(text, /^\s+at /m, text);
    const last = text.split("\n").at(-1) ?? "";
    assert.match(last, pattern, text);
    assert.doesNotMatch(text, new RegExp(PASSWORD));
  }

  test("DATABASE_URL at a port that never answers: status stops within the connect timeout, one line, exit 1", async () => {
    const [status] = await runAll([
      {
        args: ["status"],
        env: env({ DATABASE_URL: `postgres://root:${PASSWORD}@127.0.0.1:${silent.port}/x` }),
      },
    ]);
    assert.ok(status);
    assert.equal(status.code, 1, status.child.output);
    assert.ok(status.ms < CONNECT_TIMEOUT_S * 1000 + STARTUP_MS, `took ${status.ms} ms`);
    assertOneLineVerdict(
      status.child,
      /^backfill: PostgreSQL at postgres:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/x did not answer within the connect timeout/,
    );
  });

  test("REDIS_URL at a port that never answers: run and worker stop with one line, exit 1, no worker.started", async () => {
    const url = `redis://127.0.0.1:${silent.port}`;
    const outcomes = await runAll([
      { args: ["run", "--no-progress"], env: env({ REDIS_URL: url }) },
      { args: ["worker"], env: env({ REDIS_URL: url }) },
    ]);
    for (const o of outcomes) {
      assert.equal(o.code, 1, `${o.args}: ${o.child.output}`);
      assert.ok(o.ms < CONNECT_TIMEOUT_S * 1000 + STARTUP_MS, `${o.args} took ${o.ms} ms`);
      assertOneLineVerdict(
        o.child,
        /^backfill: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer within 2 s/,
      );
      assert.doesNotMatch(o.child.output, /worker\.started/);
    }
  });

  test("Redis refusing the password, or wanting one: run, worker and schedule stop at once, exit 2", async () => {
    const wrong = `redis://:not-${PASSWORD}@127.0.0.1:${redis.port}`;
    const none = `redis://127.0.0.1:${redis.port}`;
    const outcomes = await runAll([
      { args: ["run", "--no-progress"], env: env({ REDIS_URL: wrong }) },
      { args: ["worker"], env: env({ REDIS_URL: wrong }) },
      { args: ["schedule", "--every", "1h"], env: env({ REDIS_URL: none }) },
    ]);
    for (const o of outcomes) {
      assert.equal(o.code, 2, `${o.args}: ${o.child.output}`);
      assert.ok(o.ms < STARTUP_MS, `${o.args} took ${o.ms} ms`);
      assertOneLineVerdict(
        o.child,
        /^backfill: REDIS_URL: Redis at redis:\/\/(:\*\*\*@)?127\.0\.0\.1:\d+ (refused the password \(WRONGPASS|requires a password)/,
      );
      assert.doesNotMatch(o.child.output, /worker\.started/);
    }
  });

  test("Redis stops answering mid-run: the first SIGTERM ends `run` within its --shutdown-seconds", async () => {
    const run = new CliProcess(
      [
        "run",
        "--no-progress",
        "--batch-size",
        "10",
        "--concurrency",
        "1",
        "--shutdown-seconds",
        String(SHUTDOWN_S),
      ],
      env(),
    );
    try {
      await run.waitFor(/"event":"batch\.completed"/, 120_000);
      redis.freeze(true);
      await new Promise((r) => setTimeout(r, 1000));
      const signalledAt = Date.now();
      run.child.kill("SIGTERM");
      const code = await run.exit(HUNG_MS);
      const took = Date.now() - signalledAt;
      assert.notEqual(code, "still running", run.output);
      assert.equal(code, 1, run.output);
      // The deadline, then at most the grace for handing leases back and closing.
      assert.ok(took < (SHUTDOWN_S + 10) * 1000 + 10_000, `the stop took ${took} ms`);
      assert.match(run.output, /SIGTERM: finishing the current batches/);
    } finally {
      redis.freeze(false);
      await run.kill();
    }
  });

  test("Redis stops answering under a worker: SIGTERM ends it past its deadline; a second SIGTERM at once", async () => {
    for (const signals of [1, 2]) {
      const worker = new CliProcess(["worker", "--shutdown-seconds", String(SHUTDOWN_S)], env());
      try {
        await worker.waitFor(/"event":"worker\.started"/, 60_000);
        redis.freeze(true);
        await new Promise((r) => setTimeout(r, 1000));
        const signalledAt = Date.now();
        worker.child.kill("SIGTERM");
        if (signals === 2) {
          await new Promise((r) => setTimeout(r, 500));
          worker.child.kill("SIGTERM");
        }
        const code = await worker.exit(HUNG_MS);
        const took = Date.now() - signalledAt;
        assert.notEqual(code, "still running", worker.output);
        const bound = signals === 1 ? (SHUTDOWN_S + 10) * 1000 + 10_000 : 5000 + 10_000;
        assert.ok(took < bound, `${signals} signal(s): the stop took ${took} ms`);
        if (signals === 2) assert.equal(code, 1, worker.output);
      } finally {
        redis.freeze(false);
        await worker.kill();
      }
    }
  });
});
