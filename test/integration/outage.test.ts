import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { batchProgress } from "../../src/db/batch-progress.js";
import { connect } from "../../src/db/connect.js";
import type { Logger } from "../../src/log.js";
import { openBatchCore } from "../../src/run/batch-core.js";
import { runPass, type PassOutcome } from "../../src/run/run-pass.js";
import { cloneDatabase, createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { PrivateRedis, TcpProxy } from "./outage-support.js";
import { collectingLogger, invalidLogLines, registrySnapshot, waitFor } from "./run-support.js";
import { JOB_TABLE } from "../../jobs/job-table.js";

const TAGS = 600;
const BATCH = 20;
/** Per batch, so the outages land mid-run whatever the machine's speed. */
const BATCH_DELAY_MS = 150;
const RETRY = { attempts: 5, backoffMs: 200, jitter: 0.5 };

/**
 * Real outages in the middle of a run with the real batch core: a private redis-server killed and
 * restarted empty on the same port, and PostgreSQL cut off by a TCP proxy and restored. Workers wait and
 * go on; the rows equal one clean run.
 */
describe("outages mid-run", () => {
  let seeded: TestDatabase;
  let sharedRedis: TestRedis;
  let keyDir: string;
  let keyFile: string;
  let reference: Awaited<ReturnType<typeof registrySnapshot>>;

  before(async () => {
    keyDir = mkdtempSync(path.join(os.tmpdir(), "backfill-outage-"));
    keyFile = path.join(keyDir, "key.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });
    sharedRedis = await createTestRedis("outage");
    seeded = await createTestDatabase("outage_seeded");
    const seed = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "seed", "--tags", String(TAGS), "--seed", "outage"],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: seeded.url }, encoding: "utf8" },
    );
    assert.equal(seed.status, 0, seed.stderr);
    await seeded.db.destroy();
    const clean = await cloneDatabase(seeded.name, "ref");
    try {
      const out = await backfill(
        clean.url,
        sharedRedis.url,
        sharedRedis.prefix,
        collectingLogger().logger,
        0,
      );
      assert.equal(out.run.status, "completed", out.run.error ?? "");
      reference = await registrySnapshot(clean.db);
      assert.equal(reference.counts?.unmapped, 0);
    } finally {
      await clean.drop();
    }
  });

  after(async () => {
    await sharedRedis.cleanup();
    await seeded.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  /** One in-process `backfill run` with the real core; its database and Redis are the ones given. */
  async function backfill(
    databaseUrl: string,
    redisUrl: string,
    prefix: string,
    logger: Logger,
    delayMs: number,
  ): Promise<PassOutcome> {
    const config = loadConfig({ DATABASE_URL: databaseUrl, BACKFILL_SIGNING_KEY_FILE: keyFile });
    const db = connect(databaseUrl, { max: 6, logger });
    const core = await openBatchCore(config, db, logger, { requireKey: true });
    try {
      return await runPass({
        db,
        logger,
        redisUrl,
        prefix,
        concurrency: 2,
        leaseMs: 3000,
        retry: RETRY,
        processBatch: async (work, finalize) => {
          await new Promise((r) => setTimeout(r, delayMs));
          return core.processBatch(work, finalize);
        },
        jobs: JOB_TABLE,
        pollMs: 100,
        resyncMs: 1000,
        progressLogMs: 1000,
        run: {
          kind: "backfill",
          filters: {},
          options: {},
          dryRun: false,
          batchSize: BATCH,
          startedBy: { test: "outage" },
          config: {},
          actor: "test",
        },
      });
    } finally {
      await core.close();
      await db.destroy();
    }
  }

  const doneBatches = async (copy: { db: Parameters<typeof batchProgress>[0] }) => {
    const run = await copy.db.selectFrom("backfill.run").select("id").executeTakeFirst();
    return run ? (await batchProgress(copy.db, String(run.id))).batches.done : 0;
  };

  test("Redis killed mid-run and restarted empty: the run goes on and its rows equal one clean run", async () => {
    const copy = await cloneDatabase(seeded.name, "redis");
    const redis = await PrivateRedis.start();
    const logs = collectingLogger("info");
    try {
      const pass = backfill(copy.url, redis.url, "outage", logs.logger, BATCH_DELAY_MS);
      await waitFor("a few batches done", async () => (await doneBatches(copy)) >= 3, 60_000);
      await redis.kill();
      await new Promise((r) => setTimeout(r, 2500));
      const doneDuringOutage = await doneBatches(copy);
      await redis.restart();
      const out = await pass;
      assert.equal(out.run.status, "completed", out.run.error ?? "");
      assert.equal(out.remaining, 0);
      assert.ok(doneDuringOutage < out.progress.batches.total, "the outage landed mid-run");
      assert.deepEqual(await registrySnapshot(copy.db), reference);
      const lines = logs.lines();
      assert.deepEqual(invalidLogLines(lines).slice(0, 5), []);
      assert.ok(
        lines.some((l) => l.event === "redis.unavailable"),
        "the outage was logged",
      );
    } finally {
      await redis.kill();
      await copy.drop();
    }
  });

  test("PostgreSQL cut off mid-run and restored: workers wait, then finish; rows equal one clean run", async () => {
    const copy = await cloneDatabase(seeded.name, "pg");
    const proxy = await TcpProxy.start({ host: "127.0.0.1", port: Number(new URL(copy.url).port || 5432) });
    const viaProxy = new URL(copy.url);
    viaProxy.host = proxy.url;
    const logs = collectingLogger("info");
    try {
      const pass = backfill(
        viaProxy.toString(),
        sharedRedis.url,
        sharedRedis.prefix,
        logs.logger,
        BATCH_DELAY_MS,
      );
      await waitFor("a few batches done", async () => (await doneBatches(copy)) >= 3, 60_000);
      await proxy.cut();
      await new Promise((r) => setTimeout(r, 4000));
      const doneDuringOutage = await doneBatches(copy);
      await proxy.restore();
      const out = await pass;
      assert.equal(out.run.status, "completed", out.run.error ?? "");
      assert.equal(out.remaining, 0);
      assert.ok(doneDuringOutage < out.progress.batches.total, "the outage landed mid-run");
      assert.deepEqual(await registrySnapshot(copy.db), reference);
      const lines = logs.lines();
      assert.deepEqual(invalidLogLines(lines).slice(0, 5), []);
      const events = lines.map((l) => l.event);
      assert.ok(events.includes("db.unavailable"), "the outage was logged");
      assert.ok(events.includes("db.recovered"), "the recovery was logged");
      assert.ok(events.indexOf("db.unavailable") < events.lastIndexOf("db.recovered"));
    } finally {
      await proxy.cut();
      await copy.drop();
    }
  });
});
