import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { handleScheduledRun } from "../../jobs/scheduled-run.js";
import { openQueues } from "../../src/queue/backfill-queues.js";
import { DEFAULT_RETRY_POLICY } from "../../src/queue/retry-policy.js";
import { runPass } from "../../src/run/run-pass.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { collectingLogger, fakeProcessBatch, insertLegacyTags, invalidLogLines } from "./run-support.js";
import { JOB_TABLE } from "../../jobs/job-table.js";
import { testRun } from "./run-pass-support.js";

describe("scheduled runs", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("run_schedule");
    redis = await createTestRedis("run-schedule");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 10 });
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  test("the scheduler is installed, replaced, shown and removed in Redis", async () => {
    const queues = openQueues({ redisUrl: redis.url, prefix: redis.prefix, logger: logs.logger });
    try {
      await queues.upsertSchedule({ every: 600_000 });
      assert.equal((await queues.describeSchedule())?.every, 600_000);
      await queues.upsertSchedule({ pattern: "0 */2 * * *" });
      assert.equal((await queues.describeSchedule())?.pattern, "0 */2 * * *");
      assert.equal((await queues.removeSchedule()).removed, true);
      assert.equal(await queues.describeSchedule(), undefined);
    } finally {
      await queues.close();
    }
  });

  test("a tick starts a scheduled run over unmapped tags unless one is active; a tick with nothing to map creates no run", async () => {
    const enqueued: string[][] = [];
    const ctx = {
      db: tdb.db,
      logger: logs.logger,
      batchSize: 8,
      startedBy: { via: "scheduler" },
      config: {},
      actor: "scheduler:test",
      enqueue: (_runId: string, ids: readonly string[]) => {
        enqueued.push([...ids]);
        return Promise.resolve(ids.length);
      },
    };
    const first = await handleScheduledRun({}, ctx);
    assert.equal(first.kind, "started");
    assert.equal(enqueued[0]?.length, 3);
    const second = await handleScheduledRun({}, ctx);
    assert.deepEqual(second, { kind: "skipped", activeRunId: first.kind === "started" ? first.runId : "" });
    // Process the scheduled run's batches (a `run` of the same target resumes it).
    const out = await runPass({
      db: tdb.db,
      logger: logs.logger,
      redisUrl: redis.url,
      prefix: redis.prefix,
      concurrency: 2,
      leaseMs: 3000,
      retry: DEFAULT_RETRY_POLICY,
      processBatch: fakeProcessBatch(tdb.db),
      jobs: JOB_TABLE,
      pollMs: 50,
      run: testRun({ batchSize: 8, startedBy: {} }),
    });
    assert.equal(out.resumed, true);
    assert.equal(out.run.kind, "scheduled");
    assert.equal(out.run.status, "completed");
    const runsBefore = await tdb.db.selectFrom("backfill.run").select("id").execute();
    const third = await handleScheduledRun({}, ctx);
    assert.deepEqual(third, { kind: "nothing-to-do" });
    assert.equal(enqueued.length, 1, "nothing enqueued");
    const runsAfter = await tdb.db.selectFrom("backfill.run").select("id").execute();
    assert.equal(runsAfter.length, runsBefore.length, "an empty tick creates no run row");
    const ticks = logs.lines().filter((l) => l.event === "schedule.tick");
    assert.deepEqual(
      ticks.map((l) => [l.started, l.reason]),
      [
        [true, undefined],
        [false, "run running"],
        [false, "nothing to do"],
      ],
    );
    assert.deepEqual(invalidLogLines(logs.lines()), []);
  });
});
