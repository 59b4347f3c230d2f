import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { CliProcess } from "./cli-process.js";
import { PrivateRedis } from "./outage-support.js";
import { jsonLines, runCli } from "./run-support.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `at` of the heartbeat file, or undefined while there is none. */
function beatAt(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { at: string }).at;
  } catch {
    return undefined;
  }
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** A real `worker` writes BACKFILL_HEARTBEAT_FILE; `backfill health` reads it as a probe would. */
describe("backfill health and the worker's heartbeat file", () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let key: SigningKeyFile;
  let dir: string;
  let file: string;

  before(async () => {
    key = createSigningKeyFile("health");
    redis = await PrivateRedis.start();
    db = await createTestDatabase("health_cli");
    dir = mkdtempSync(path.join(os.tmpdir(), "backfill-health-"));
    file = path.join(dir, "heartbeat.json");
  });

  after(async () => {
    await redis.kill();
    await db.drop();
    key.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    BACKFILL_QUEUE_PREFIX: "health",
    BACKFILL_SIGNING_KEY_FILE: key.path,
    BACKFILL_HEARTBEAT_FILE: file,
  });

  test("no file configured: exit 2 naming the variable; no file yet: exit 1 saying it is missing", async () => {
    const unset = await runCli(["health"], { BACKFILL_HEARTBEAT_FILE: "" });
    assert.equal(unset.status, 2, unset.stderr);
    assert.match(unset.stderr, /BACKFILL_HEARTBEAT_FILE/);
    const missing = await runCli(["health"], env());
    assert.equal(missing.status, 1, missing.stderr);
    assert.equal(missing.stdout, "");
    assert.match(missing.stderr, /^unhealthy: no heartbeat file at .*heartbeat\.json/);
    assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
  });

  test("fresh while the worker works, stale while Redis does not answer, fresh again, stale once stopped", async () => {
    const worker = new CliProcess(["worker", "--heartbeat-seconds", "1", "--shutdown-seconds", "5"], env());
    try {
      await worker.waitFor(/"event":"worker\.started"/, 90_000);
      await until("first heartbeat file", () => beatAt(file) !== undefined, 15_000);
      const first = beatAt(file);
      await until("a later heartbeat", () => beatAt(file) !== first, 10_000);

      const healthy = await runCli(["health"], env());
      assert.equal(healthy.status, 0, healthy.stderr);
      assert.match(healthy.stdout, /^healthy: heartbeat of worker:\S+ \d+\.\d s old \(limit 3 s\)/);

      // The process and its event loop are fine; its Redis is not: the file must age.
      redis.freeze(true);
      try {
        await sleep(4500);
        const frozen = await runCli(["health", "--max-age", "2"], env());
        assert.equal(frozen.status, 1, frozen.stdout);
        assert.match(frozen.stderr, /^unhealthy: stale heartbeat of worker:\S+, \d+\.\d s old \(limit 2 s\)/);
        assert.equal(worker.child.exitCode, null, "the worker is still running");
      } finally {
        redis.freeze(false);
      }
      const failures = jsonLines(worker.output).filter(
        (l) => l.event === "worker.error" && l.source === "heartbeat",
      );
      assert.equal(failures.length, 1, "logged once when the check starts failing");
      assert.match(String(failures[0]?.err), /Redis \(\S+\) did not answer within 1000 ms/);

      const before = beatAt(file);
      await until("a heartbeat after Redis answers again", () => beatAt(file) !== before, 15_000);
      assert.equal((await runCli(["health"], env())).status, 0);

      worker.child.kill("SIGTERM");
      assert.equal(await worker.exit(60_000), 0, worker.output);
      await sleep(3500);
      const stopped = await runCli(["health"], env());
      assert.equal(stopped.status, 1, stopped.stdout);
      assert.match(stopped.stderr, /^unhealthy: stale heartbeat/);
    } finally {
      redis.freeze(false);
      await worker.kill();
    }
  });
});
