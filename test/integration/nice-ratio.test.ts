import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runPass } from "../../src/run/run-pass.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { quietThrottle } from "../support/quiet-throttle.js";
import { collectingLogger, fakeProcessBatch, insertLegacyTags } from "./run-support.js";
import { testPassSetup } from "./run-pass-support.js";

describe("the nice ratio (BACKFILL_NICE_RATIO)", () => {
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

  test("ratio 1: after each batch its slot rests as long as the batch took before claiming the next", async () => {
    const throttle = new ThrottleChecker(tdb.db, quietThrottle({ niceRatio: 1 }));
    const out = await runPass(
      testPassSetup(
        { db: tdb.db, logger: logs.logger, redis },
        { throttle, concurrency: 1, processBatch: fakeProcessBatch(tdb.db, { delayMs: 300 }) },
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
    for (let i = 1; i < batches.length; i++) {
      const prev = batches[i - 1];
      const next = batches[i];
      const took = ms(prev?.finished_at) - ms(prev?.started_at);
      const gap = ms(next?.started_at) - ms(prev?.finished_at);
      assert.ok(took >= 300, `batch ${i - 1} took ${took} ms`);
      // The rest counts from the claim to the handler's end, a little more than started_at..finished_at.
      assert.ok(gap >= took * 0.9, `batch ${i} claimed ${gap} ms after the previous one ended (${took} ms)`);
    }
  });
});
