import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getRun } from "../../src/db/run-get.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { CliProcess } from "./cli-process.js";
import { PrivateRedis } from "./outage-support.js";
import { invalidLogLines, runCli, waitFor } from "./run-support.js";

/** Small batches, one at a time: the run is long enough to be paused, resumed and paused again mid-way. */
const RUN_ARGS = ["run", "--no-progress", "--batch-size", "5", "--concurrency", "1"];
/** Starting the CLI takes several seconds on a loaded machine; a bound is the behaviour's time plus this. */
const SLACK_MS = 30_000;

/** `pause` from another process while `backfill run` follows the run, through the real CLI. */
describe("a paused run keeps `run` waiting", () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let key: SigningKeyFile;

  before(async () => {
    key = createSigningKeyFile("pause");
    redis = await PrivateRedis.start();
    db = await createTestDatabase("pause_cli");
    const seed = await runCli(["seed", "--tags", "2000", "--seed", "pause"], { DATABASE_URL: db.url });
    assert.equal(seed.status, 0, seed.stderr);
  });

  after(async () => {
    await redis.kill();
    await db.drop();
    key.remove();
  });

  const env = () => ({ DATABASE_URL: db.url, REDIS_URL: redis.url, BACKFILL_SIGNING_KEY_FILE: key.path });

  /** Starts `run`, and resolves with it and its run's id once a batch is done. */
  async function startRun(): Promise<{ run: CliProcess; runId: string }> {
    const run = new CliProcess(RUN_ARGS, env());
    await run.waitFor(/"event":"batch\.completed"/, 120_000);
    const started = run.lines().find((l) => l.event === "run.started" || l.event === "run.resumed");
    return { run, runId: String(started?.runId) };
  }

  const doneBatches = async (runId: string) =>
    Number(
      (
        await db.db
          .selectFrom("backfill.batch")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("run_id", "=", runId)
          .where("status", "=", "done")
          .executeTakeFirstOrThrow()
      ).n,
    );

  test("paused: run waits saying by whom and how to resume; resumed: it goes on; cancelled: it ends", async () => {
    const { run, runId } = await startRun();
    try {
      const paused = await runCli(["pause", runId, "--reason", "db maintenance"], env());
      assert.equal(paused.status, 0, paused.stderr);
      await run.waitFor(/"event":"run\.waiting"/, 30_000);
      const waiting = run.lines().find((l) => l.event === "run.waiting");
      assert.match(String(waiting?.pausedBy), /^[^@\s]+@[^@\s]+$/);
      assert.equal(waiting?.reason, "db maintenance");
      assert.equal(waiting?.resume, `backfill resume ${runId}`);
      assert.match(
        run.output,
        new RegExp(`paused by \\S+ \\(db maintenance\\); waiting: \`backfill resume ${runId}\``),
      );
      // Still there, and no batch started after the pause (the one in flight may have finished).
      const atPause = await doneBatches(runId);
      await new Promise((r) => setTimeout(r, 4000));
      assert.equal(run.child.exitCode, null, run.output);
      assert.ok((await doneBatches(runId)) <= atPause + 1);

      const resumed = await runCli(["resume", runId], env());
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(
        resumed.stdout,
        /paused -> running; \d+ batch\(es\) enqueued for the 1 worker\(s\) connected/,
      );
      await waitFor(
        "batches done after the resume",
        async () => (await doneBatches(runId)) > atPause + 2,
        60_000,
      );

      assert.equal((await runCli(["pause", runId], env())).status, 0);
      await run.waitFor(/"event":"run\.waiting"[\s\S]*"event":"run\.waiting"/, 30_000);
      const cancelledAt = Date.now();
      assert.equal((await runCli(["cancel", runId], env())).status, 0);
      const code = await run.exit(SLACK_MS);
      assert.equal(code, 1, run.output);
      assert.ok(Date.now() - cancelledAt < SLACK_MS);
      assert.match(run.output, new RegExp(`run ${runId} was cancelled`));
      assert.equal((await getRun(db.db, runId))?.status, "cancelled");
      assert.deepEqual(invalidLogLines(run.lines()), []);
    } finally {
      await run.kill();
    }
  });

  test("paused, then SIGTERM: run ends within its deadline; resume with nobody running says so", async () => {
    const { run, runId } = await startRun();
    try {
      assert.equal((await runCli(["pause", runId], env())).status, 0);
      await run.waitFor(/"event":"run\.waiting"/, 30_000);
      const signalledAt = Date.now();
      run.child.kill("SIGTERM");
      assert.equal(await run.exit(SLACK_MS), 1, run.output);
      assert.ok(Date.now() - signalledAt < SLACK_MS);
      assert.equal((await getRun(db.db, runId))?.status, "paused");

      const resumed = await runCli(["resume", runId], env());
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(
        resumed.stdout,
        /batch\(es\) enqueued, but no worker is connected: start `backfill worker` \(or `backfill run`\) to process them/,
      );
      assert.equal((await runCli(["cancel", runId], env())).status, 0);
    } finally {
      await run.kill();
    }
  });
});
