import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Kysely } from "kysely";
import { batchProgress } from "../../src/db/batch-progress.js";
import { getRun } from "../../src/db/run-get.js";
import type { Database } from "../../src/db/tables.js";
import { LogAggregator } from "../../src/dashboard/log-aggregator.js";
import { createLogger } from "../../src/log.js";
import { openQueues } from "../../src/queue/backfill-queues.js";
import { startOrResumeRun } from "../../src/run/start-run.js";
import { cloneDatabase, createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { invalidLogLines, registrySnapshot, waitFor } from "./run-support.js";

const TAGS = 1200;
const BATCH = 50;
const RETRY = { attempts: 5, backoffMs: 200, jitter: 0.5 };
const PASSWORD = "pw-never-logged-7f3a";

/** Child processes of the real CLI, against the real batch core: kill -9, SIGTERM, two at once, flush. */
describe("worker processes", () => {
  let seeded: TestDatabase;
  let redis: TestRedis;
  let keyDir: string;
  let keyFile: string;
  let keyBody: string;
  const children: ChildProcess[] = [];
  const output: string[] = [];
  let reference: Awaited<ReturnType<typeof registrySnapshot>>;

  const env = (url: string) => {
    const withPassword = new URL(url);
    withPassword.password = PASSWORD; // trust auth ignores it; it must never reach a log line
    return {
      ...process.env,
      DATABASE_URL: withPassword.toString(),
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      BACKFILL_SIGNING_KEY_FILE: keyFile,
      LOG_LEVEL: "info",
    };
  };
  const cli = (url: string, args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: REPO_ROOT,
      env: env(url),
      encoding: "utf8",
    });
  const startWorker = (url: string, concurrency = 2): ChildProcess => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "worker",
        "--concurrency",
        String(concurrency),
        "--lease-seconds",
        "3",
        "--shutdown-seconds",
        "20",
        "--heartbeat-seconds",
        "1",
      ],
      { cwd: REPO_ROOT, env: env(url), stdio: ["ignore", "pipe", "pipe"] },
    );
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      output.push(chunk.toString());
    });
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    children.push(child);
    void buffered;
    return child;
  };
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once("exit", (code) => resolve(code));
    });

  async function startRun(db: Kysely<Database>): Promise<string> {
    const started = await startOrResumeRun(db, {
      kind: "backfill",
      filters: {},
      options: {},
      dryRun: false,
      batchSize: BATCH,
      startedBy: { test: "worker-processes" },
      config: {},
      actor: "test",
    });
    const queues = openQueues({
      redisUrl: redis.url,
      prefix: redis.prefix,
      logger: createLogger({ level: "silent" }),
    });
    await queues.enqueueBatches(String(started.run.id), started.batchIds, RETRY);
    await queues.close();
    return String(started.run.id);
  }
  const doneBatches = async (db: Kysely<Database>, runId: string) =>
    (await batchProgress(db, runId)).batches.done;
  const runFinished = (db: Kysely<Database>, runId: string) =>
    waitFor(
      "the run to complete",
      async () => {
        const run = await getRun(db, runId);
        return run && run.status !== "running" ? run : undefined;
      },
      120_000,
    );
  async function flushPrefix() {
    let cursor = "0";
    do {
      const [next, keys] = await redis.redis.scan(cursor, "MATCH", `${redis.prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.redis.del(...keys);
    } while (cursor !== "0");
  }

  before(async () => {
    keyDir = mkdtempSync(path.join(os.tmpdir(), "backfill-key-"));
    keyFile = path.join(keyDir, "key.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(keyFile, pem, { mode: 0o600 });
    keyBody = pem.split("\n")[5] ?? "";
    redis = await createTestRedis("worker-proc");
    seeded = await createTestDatabase("worker_seeded");
    const seed = cli(seeded.url, ["seed", "--tags", String(TAGS), "--seed", "workers"]);
    assert.equal(seed.status, 0, seed.stderr);
    await seeded.db.destroy();
    // The reference: one clean in-process `backfill run` over a copy of the same data.
    const clean = await cloneDatabase(seeded.name, "ref");
    try {
      const run = cli(clean.url, ["run", "--batch-size", String(BATCH), "--no-progress"]);
      output.push(run.stdout, run.stderr);
      assert.equal(run.status, 0, run.stderr);
      reference = await registrySnapshot(clean.db);
      assert.equal(reference.counts?.unmapped, 0);
      assert.ok((reference.counts?.tagtorepositorytag ?? 0) > TAGS * 0.9);
    } finally {
      await clean.drop();
    }
  });

  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await redis.cleanup();
    await seeded.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  test("kill -9 of a worker mid-run, then two workers at once resume it: rows equal one clean run", async () => {
    const copy = await cloneDatabase(seeded.name, "kill");
    try {
      const runId = await startRun(copy.db);
      const victim = startWorker(copy.url);
      await waitFor("a few batches done", async () => (await doneBatches(copy.db, runId)) >= 3, 60_000);
      victim.kill("SIGKILL");
      await exited(victim);
      assert.equal((await getRun(copy.db, runId))?.status, "running");
      // Resume: the ledger says what is not done; two workers share it.
      const again = await startOrResumeRun(copy.db, {
        kind: "backfill",
        filters: {},
        options: {},
        dryRun: false,
        batchSize: BATCH,
        startedBy: {},
        config: {},
        actor: "test",
      });
      assert.equal(again.resumed, true);
      assert.ok(again.batchIds.length > 0);
      const queues = openQueues({
        redisUrl: redis.url,
        prefix: redis.prefix,
        logger: createLogger({ level: "silent" }),
      });
      await queues.enqueueBatches(runId, again.batchIds, RETRY);
      await queues.close();
      const a = startWorker(copy.url);
      const b = startWorker(copy.url);
      const run = await runFinished(copy.db, runId);
      assert.equal(run.status, "completed", run.error ?? "");
      assert.deepEqual(await registrySnapshot(copy.db), reference);
      a.kill("SIGTERM");
      b.kill("SIGTERM");
      assert.equal(await exited(a), 0);
      assert.equal(await exited(b), 0);
    } finally {
      await copy.drop();
    }
  });

  test("Redis keys deleted mid-run, then resumed: rows equal one clean run", async () => {
    const copy = await cloneDatabase(seeded.name, "flush");
    try {
      const runId = await startRun(copy.db);
      const worker = startWorker(copy.url);
      await waitFor("a few batches done", async () => (await doneBatches(copy.db, runId)) >= 2, 60_000);
      await flushPrefix();
      await new Promise((r) => setTimeout(r, 1500));
      const again = await startOrResumeRun(copy.db, {
        kind: "backfill",
        filters: {},
        options: {},
        dryRun: false,
        batchSize: BATCH,
        startedBy: {},
        config: {},
        actor: "test",
      });
      assert.equal(again.resumed, true);
      const queues = openQueues({
        redisUrl: redis.url,
        prefix: redis.prefix,
        logger: createLogger({ level: "silent" }),
      });
      await queues.enqueueBatches(runId, again.batchIds, RETRY);
      await queues.close();
      const run = await runFinished(copy.db, runId);
      assert.equal(run.status, "completed", run.error ?? "");
      assert.deepEqual(await registrySnapshot(copy.db), reference);
      worker.kill("SIGTERM");
      assert.equal(await exited(worker), 0);
    } finally {
      await copy.drop();
    }
  });

  test("SIGTERM under load: exit 0, no batch left leased, and a resume completes the run", async () => {
    const copy = await cloneDatabase(seeded.name, "term");
    try {
      const runId = await startRun(copy.db);
      const worker = startWorker(copy.url, 2);
      await waitFor(
        "a batch in progress",
        async () =>
          (await batchProgress(copy.db, runId)).batches.running > 0 &&
          (await doneBatches(copy.db, runId)) >= 1,
        60_000,
      );
      worker.kill("SIGTERM");
      assert.equal(await exited(worker), 0);
      const progress = await batchProgress(copy.db, runId);
      assert.equal(progress.batches.running, 0, "the stopped worker finished or released what it held");
      assert.ok(progress.batches.pending > 0, "the run was stopped mid-way");
      const next = startWorker(copy.url);
      const run = await runFinished(copy.db, runId);
      assert.equal(run.status, "completed", run.error ?? "");
      assert.deepEqual(await registrySnapshot(copy.db), reference);
      next.kill("SIGTERM");
      assert.equal(await exited(next), 0);
    } finally {
      await copy.drop();
    }
  });

  test("every line the processes logged matches the vocabulary and holds no secret", () => {
    const text = output.join("");
    assert.ok(!text.includes(PASSWORD), "a DATABASE_URL password reached the logs");
    assert.ok(keyBody.length > 40 && !text.includes(keyBody), "key material reached the logs");
    const lines = text
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.length > 20);
    assert.deepEqual(invalidLogLines(lines).slice(0, 5), []);
    const events = new Set(lines.map((l) => l.event));
    for (const e of [
      "worker.started",
      "worker.stopping",
      "worker.stopped",
      "batch.completed",
      "tag.broken",
      "run.completed",
      "run.started",
    ]) {
      assert.ok(events.has(e), `no ${e} line`);
    }
  });

  test("the dashboard reads these logs: every worker's heartbeats, progress from workers, the host on each line", () => {
    const text = output.join("");
    const aggregator = new LogAggregator();
    for (const line of text.split("\n")) aggregator.add(line);
    const model = aggregator.model(Date.now());
    assert.equal(
      model.lines.skipped.invalid + model.lines.skipped.unknown_event,
      0,
      JSON.stringify(model.lines),
    );
    const lines = text
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.every((l) => l.hostname === os.hostname()));
    assert.ok(lines.filter((l) => l.event === "worker.heartbeat").length >= 2);
    const progress = lines.filter((l) => l.event === "run.progress" && typeof l.batchesPending === "number");
    assert.ok(progress.length > 0, "no run.progress from a worker");
    assert.ok(model.workers.length >= 2);
    assert.ok(model.workers.every((w) => w.actor?.startsWith("worker:")));
    assert.ok(model.runs.some((r) => r.batches.total > 0 && r.tags.backfilled > 0));
  });
});
