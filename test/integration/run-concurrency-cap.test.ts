import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DbProcessBatch } from "../../src/db/batch-store.js";
import { createRun } from "../../src/db/run-create.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { getRun } from "../../src/db/run-get.js";
import { runPass } from "../../src/run/run-pass.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import {
  collectingLogger,
  fakeProcessBatch,
  insertLegacyTags,
  invalidLogLines,
  recordingCli,
} from "./run-support.js";
import { claims, resetMappings, testPassSetup, testRun } from "./run-pass-support.js";

/** A run's cap of batches in flight, and `backfill tune`'s run-level settings. */
describe("run concurrency cap and tune --target-batch-seconds / --concurrency", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let env: Record<string, string>;
  const logs = collectingLogger();
  const { cli, lines: cliLines } = recordingCli(() => env);

  before(async () => {
    tdb = await createTestDatabase("run_concurrency_cap");
    redis = await createTestRedis("run-concurrency-cap");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 6 });
    env = { DATABASE_URL: tdb.url, REDIS_URL: redis.url, BACKFILL_QUEUE_PREFIX: redis.prefix };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  /** The fake core, counting the batches it holds at once. */
  function countingCore(): { core: DbProcessBatch; most: () => number } {
    const fake = fakeProcessBatch(tdb.db, { delayMs: 80 });
    let now = 0;
    let most = 0;
    const core: DbProcessBatch = async (work, finalize) => {
      now++;
      most = Math.max(most, now);
      try {
        return await fake(work, finalize);
      } finally {
        now--;
      }
    };
    return { core, most: () => most };
  }

  test("three workers, a cap of one: one batch at a time, no attempt spent on a refused delivery", async () => {
    await resetMappings(tdb.db);
    const counting = countingCore();
    const out = await runPass(
      testPassSetup(
        { db: tdb.db, logger: logs.logger, redis },
        { concurrency: 3, processBatch: counting.core, run: testRun({ batchSize: 2, maxConcurrency: 1 }) },
      ),
    );
    const runId = String(out.run.id);
    assert.equal(out.run.status, "completed");
    assert.equal(out.run.max_concurrency, 1);
    assert.equal(counting.most(), 1, "never two batches of the run at once");
    assert.equal(await claims(tdb.db, runId), out.progress.batches.total, "one claim per batch");
    // Without the cap the same workers take several at once: the cap is what held them.
    await resetMappings(tdb.db);
    const free = countingCore();
    await runPass(
      testPassSetup(
        { db: tdb.db, logger: logs.logger, redis },
        { concurrency: 3, processBatch: free.core, run: testRun({ batchSize: 2 }) },
      ),
    );
    assert.ok(free.most() > 1, `uncapped: ${free.most()} at most`);
  });

  test("tune sets and clears the target and the cap; recorded in the history and logged", async () => {
    const run = await createRun(tdb.db, {
      kind: "backfill",
      target: "ns:acme",
      filters: { namespace: "acme" },
      options: {},
      dryRun: false,
      batchSize: 4,
      startedBy: {},
      config: { targetBatchMs: 2000, minBatchSize: 2, maxBatchSize: 100 },
      actor: "test",
    });
    assert.ok(run);
    const runId = String(run.id);
    const set = await cli(["tune", runId, "--target-batch-seconds", "off", "--concurrency", "2"]);
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stdout, /targetBatchMs 2000 -> 0, maxConcurrency none -> 2/);
    let row = await getRun(tdb.db, runId);
    assert.deepEqual([row?.target_batch_ms, row?.max_concurrency], [0, 2]);
    const again = await cli(["tune", runId, "--target-batch-seconds", "0.5", "--concurrency", "off"]);
    assert.equal(again.status, 0, again.stderr);
    row = await getRun(tdb.db, runId);
    assert.deepEqual([row?.target_batch_ms, row?.max_concurrency], [500, null]);
    const history = (await listRunEvents(tdb.db, runId)).filter((e) => e.actor !== "test");
    assert.deepEqual(
      history.map((e) => (e.detail as { changes: unknown }).changes),
      [
        { targetBatchMs: { from: 2000, to: 0 }, maxConcurrency: { from: null, to: 2 } },
        { targetBatchMs: { from: 0, to: 500 }, maxConcurrency: { from: 2, to: null } },
      ],
    );
    const tuned = cliLines.filter((l) => l.event === "run.tuned" && l.runId === runId);
    assert.equal(tuned.length, 2);
  });

  test("bad values stop with one line naming the value, exit 2", async () => {
    for (const [args, named] of [
      [["tune", "1", "--target-batch-seconds", "-1"], /--target-batch-seconds .*'-1'/],
      [["tune", "1", "--target-batch-seconds", "soon"], /--target-batch-seconds .*'soon'/],
      [["tune", "1", "--target-batch-seconds", "3601"], /--target-batch-seconds .*'3601'/],
      [["tune", "1", "--concurrency", "0"], /--concurrency .*'0'/],
      [["tune", "1", "--concurrency", "65"], /--concurrency .*'65'/],
      [["run", "--target-batch-seconds", "fast"], /--target-batch-seconds .*'fast'/],
      [["run", "--max-lag", "0"], /--max-lag .*'0'/],
      [["tune", "1", "--batch-size", "0"], /--batch-size .*got 0$/m],
      [["tune", "1", "--batch-size", "-5"], /--batch-size .*'-5'/],
      [["tune", "1", "--max-lag", "-3"], /--max-lag .*'-3'/],
      [["throttle", "1", "maybe"], /expected on or off, got 'maybe'/],
      [["throttle", "abc", "on"], /RUN expects a run id .*'abc'/],
    ] as const) {
      const out = await cli([...args]);
      assert.equal(out.status, 2, args.join(" "));
      assert.match(out.stderr, named);
      assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
    }
  });

  test("every line logged is valid against docs/log-events.schema.json", () => {
    assert.deepEqual(invalidLogLines([...logs.lines(), ...cliLines]), []);
  });
});
