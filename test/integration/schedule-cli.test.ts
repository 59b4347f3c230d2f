import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Queue } from "bullmq";
import { createLogger } from "../../src/log.js";
import { openQueues } from "../../src/queue/backfill-queues.js";
import { QUEUE, SCHEDULER_ID } from "../../src/queue/queue-names.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { CliProcess } from "./cli-process.js";
import { PrivateRedis } from "./outage-support.js";
import { runCli } from "./run-support.js";

const PREFIX = "sched";
/** How long a worker gets to (wrongly) pick up a queued tick: it takes a waiting job within a second. */
const WATCH_MS = 6000;

/** `schedule --remove` through the CLI, then a real `worker`: no tick queued before the removal starts a run. */
describe("schedule --remove stops the ticks already queued", () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let key: SigningKeyFile;

  before(async () => {
    key = createSigningKeyFile("schedule");
    redis = await PrivateRedis.start();
    db = await createTestDatabase("schedule_cli");
    const seed = await runCli(["seed", "--tags", "100", "--seed", "schedule"], { DATABASE_URL: db.url });
    assert.equal(seed.status, 0, seed.stderr);
  });

  after(async () => {
    await redis.kill();
    await db.drop();
    key.remove();
  });

  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    BACKFILL_QUEUE_PREFIX: PREFIX,
    BACKFILL_SIGNING_KEY_FILE: key.path,
  });

  async function pendingTicks(): Promise<number> {
    const queues = openQueues({
      redisUrl: redis.url,
      prefix: PREFIX,
      logger: createLogger({ level: "silent" }),
    });
    try {
      const counts = (await queues.counts())[QUEUE.schedule] ?? {};
      return (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
    } finally {
      await queues.close();
    }
  }

  /** Starts a worker, lets it run WATCH_MS, stops it; its output. */
  async function watchWorker(): Promise<string> {
    const worker = new CliProcess(["worker", "--shutdown-seconds", "5"], env());
    try {
      await worker.waitFor(/"event":"worker\.started"/, 90_000);
      await new Promise((r) => setTimeout(r, WATCH_MS));
      worker.child.kill("SIGTERM");
      assert.equal(await worker.exit(60_000), 0, worker.output);
      return worker.output;
    } finally {
      await worker.kill();
    }
  }

  async function runCount(): Promise<number> {
    const row = await db.db
      .selectFrom("backfill.run")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  test("every 1h, remove, show: no schedule, no tick left; a worker started after it starts no run", async () => {
    const installed = await runCli(["schedule", "--every", "1h"], env());
    assert.equal(installed.status, 0, installed.stderr);
    assert.ok((await pendingTicks()) >= 1, "the first tick is queued at once");
    const removed = await runCli(["schedule", "--remove"], env());
    assert.equal(removed.status, 0, removed.stderr);
    const shown = await runCli(["schedule"], env());
    assert.match(shown.stdout, /^no schedule/m);

    const output = await watchWorker();
    assert.doesNotMatch(output, /"event":"run\.started"/);
    assert.equal(await runCount(), 0, output);
    assert.equal(await pendingTicks(), 0);
    assert.match(removed.stdout, /^schedule removed; 1 pending tick\(s\) removed$/m);
  });

  test("a tick still queued when its scheduler is gone (removed by an older version) starts no run", async () => {
    assert.equal((await runCli(["schedule", "--every", "1h"], env())).status, 0);
    // BullMQ's own removal: the scheduler goes, the tick queued at once stays.
    const raw = new Queue(QUEUE.schedule, { connection: { url: redis.url }, prefix: PREFIX });
    try {
      await raw.removeJobScheduler(SCHEDULER_ID);
    } finally {
      await raw.close();
    }
    assert.ok((await pendingTicks()) >= 1);

    const output = await watchWorker();
    assert.doesNotMatch(output, /"event":"run\.started"/);
    assert.equal(await runCount(), 0, output);
    assert.match(output, /"event":"schedule\.tick".*"reason":"schedule removed"/);
  });
});
