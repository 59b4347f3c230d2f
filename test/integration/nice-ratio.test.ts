import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { runPass } from "../../src/run/run-pass.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { quietThrottle } from "../support/quiet-throttle.js";
import { collectingLogger, fakeProcessBatch, insertLegacyTags } from "./run-support.js";
import { resetMappings, testPassSetup, testRun } from "./run-pass-support.js";

describe("the nice ratio (BACKFILL_NICE_RATIO, run --nice-ratio, tune --nice-ratio)", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("nice_ratio");
    redis = await createTestRedis("nice-ratio");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 4 });
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  /** One pass with one worker slot and 300 ms batches; per later batch, how long it took and the gap before it. */
  async function pass(processRatio: number, runRatio?: number) {
    await resetMappings(tdb.db);
    await sql`UPDATE backfill.run SET status = 'cancelled' WHERE status = 'running'`.execute(tdb.db);
    const throttle = new ThrottleChecker(tdb.db, quietThrottle({ niceRatio: processRatio }));
    const out = await runPass(
      testPassSetup(
        { db: tdb.db, logger: logs.logger, redis },
        {
          throttle,
          concurrency: 1,
          processBatch: fakeProcessBatch(tdb.db, { delayMs: 300 }),
          run: testRun(runRatio === undefined ? {} : { niceRatio: runRatio }),
        },
      ),
    );
    assert.equal(out.run.status, "completed");
    const batches = await tdb.db
      .selectFrom("backfill.batch")
      .select(["started_at", "finished_at"])
      .where("run_id", "=", out.run.id)
      .orderBy("started_at")
      .execute();
    assert.equal(batches.length, 4, "8 tags in batches of 2");
    const ms = (t: unknown) => new Date(t as string).getTime();
    return batches.slice(1).map((next, i) => {
      const prev = batches[i];
      return {
        took: ms(prev?.finished_at) - ms(prev?.started_at),
        gap: ms(next.started_at) - ms(prev?.finished_at),
      };
    });
  }

  test("ratio 1: after each batch its slot rests as long as the batch took before claiming the next", async () => {
    for (const [i, { took, gap }] of (await pass(1)).entries()) {
      assert.ok(took >= 300, `batch ${i} took ${took} ms`);
      // The rest counts from the claim to the handler's end, a little more than started_at..finished_at.
      assert.ok(
        gap >= took * 0.9,
        `batch ${i + 1} claimed ${gap} ms after the previous one ended (${took} ms)`,
      );
    }
  });

  test("the run's own ratio replaces the process's: 1 over 0 rests, 0 over 1 does not", async () => {
    for (const { took, gap } of await pass(0, 1))
      assert.ok(gap >= took * 0.9, `gap ${gap} ms after ${took} ms`);
    for (const { took, gap } of await pass(1, 0))
      assert.ok(gap < took * 0.5, `gap ${gap} ms after ${took} ms`);
  });
});
