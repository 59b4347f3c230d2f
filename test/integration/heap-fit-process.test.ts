import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { getRun } from "../../src/db/run-get.js";
import { createLogger } from "../../src/log.js";
import { openQueues } from "../../src/queue/backfill-queues.js";
import { startOrResumeRun } from "../../src/run/start-run.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { registrySnapshot, waitFor } from "./run-support.js";

const TAGS = 300;
/** The run's batches: cut by a process with a large heap. */
const BATCH = 120;

let tdb: TestDatabase;
let redis: TestRedis;
let keyDir: string;

before(async () => {
  keyDir = mkdtempSync(path.join(os.tmpdir(), "backfill-key-"));
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(
    path.join(keyDir, "key.pem"),
    privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    { mode: 0o600 },
  );
  redis = await createTestRedis("heap-fit-proc");
  tdb = await createTestDatabase("heap_fit_proc");
});
after(async () => {
  await redis.cleanup();
  await tdb.drop();
  rmSync(keyDir, { recursive: true, force: true });
});

test("a worker process started with a small heap trims the run's larger batches to what its heap holds and completes the run", async () => {
  const env = {
    ...process.env,
    DATABASE_URL: tdb.url,
    REDIS_URL: redis.url,
    BACKFILL_QUEUE_PREFIX: redis.prefix,
    BACKFILL_SIGNING_KEY_FILE: path.join(keyDir, "key.pem"),
    LOG_LEVEL: "info",
    // What the worker itself is configured with fits its heap; the run's batches do not.
    BACKFILL_BATCH_SIZE: "10",
  };
  const seed = spawnSync(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "seed", "--tags", String(TAGS), "--seed", "heap"],
    { cwd: REPO_ROOT, env, encoding: "utf8" },
  );
  assert.equal(seed.status, 0, seed.stderr);
  const started = await startOrResumeRun(tdb.db, {
    kind: "backfill",
    filters: {},
    options: {},
    dryRun: false,
    batchSize: BATCH,
    startedBy: { test: "heap-fit-process" },
    config: {},
    actor: "test",
  });
  const runId = String(started.run.id);
  const queues = openQueues({
    redisUrl: redis.url,
    prefix: redis.prefix,
    logger: createLogger({ level: "silent" }),
  });
  await queues.enqueueBatches(runId, started.batchIds, { attempts: 5, backoffMs: 200, jitter: 0.5 });
  await queues.close();

  // 72 MB of old generation at 4 batches at once: about 75 tags a batch (heap-limit-check.ts).
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "worker",
      "--concurrency",
      "4",
      "--lease-seconds",
      "5",
      "--resync-seconds",
      "1",
    ],
    {
      cwd: REPO_ROOT,
      env: { ...env, NODE_OPTIONS: "--max-old-space-size=72 --max-semi-space-size=16" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  try {
    const run = await waitFor(
      "the run to complete",
      async () => {
        const r = await getRun(tdb.db, runId);
        return r && r.status !== "running" ? r : undefined;
      },
      120_000,
    );
    assert.equal(run.status, "completed", output.slice(-3000));
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
  }
  const lines = output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const trimmed = lines.filter((l) => l.event === "batch.trimmed");
  assert.ok(trimmed.length > 0, "the worker trimmed the run's batches");
  const maxTags = trimmed[0]?.maxTags as number;
  assert.ok(maxTags >= 10 && maxTags < BATCH, `the worker's heap holds ${maxTags} tags a batch`);
  const completed = lines.filter((l) => l.event === "batch.completed");
  assert.ok(completed.length > 0);
  // Hidden tags of a range are loaded as skipped rows without their manifest; the candidates are the rest.
  const worked = completed.map((l) => {
    const c = l.counts as Record<string, number>;
    return (c.backfilled ?? 0) + (c.backfilled_broken ?? 0) + (c.failed ?? 0);
  });
  assert.ok(
    worked.every((n) => n <= maxTags),
    JSON.stringify(worked),
  );
  assert.equal((await registrySnapshot(tdb.db)).counts?.unmapped, 0);
});
