import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { getRun } from "../../src/db/run-get.js";
import { runPass } from "../../src/run/run-pass.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { collectingLogger, insertLegacyTags, invalidLogLines } from "./run-support.js";
import { activeRunId, testPassSetup, throttledWith } from "./run-pass-support.js";
import { quietThrottle } from "../support/quiet-throttle.js";

/** Every other signal off: only the WAL rate can throttle. */
const WAL_ONLY = quietThrottle({ pollMs: 200, maxWalMbPerS: 2 });

/** Another session writing WAL as fast as it can (rows of a logged table), until stopped. */
async function walWriter(url: string): Promise<{ stop: () => Promise<number> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("CREATE TABLE IF NOT EXISTS wal_filler (id int, pad text)");
  let stopped = false;
  let rounds = 0;
  const loop = (async () => {
    // ~6 MB of WAL per commit, the table emptied every fifth round: few fsyncs per MB, so the rate stays
    // far above the 2 MB/s line on a machine busy with other tests' I/O.
    while (!stopped) {
      await client.query(
        "INSERT INTO wal_filler SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 20000) g",
      );
      if (++rounds % 5 === 0) await client.query("TRUNCATE wal_filler");
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      await client.end();
      return rounds;
    },
  };
}

describe("the WAL generation rate as a throttle signal", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  const logs = collectingLogger();

  before(async () => {
    tdb = await createTestDatabase("run_wal_throttle");
    redis = await createTestRedis("run-wal-throttle");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 6 });
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  test("WAL written by another session throttles the run with that reason; once it stops, the run finishes", async () => {
    const writer = await walWriter(tdb.url);
    let stopped = false;
    const stop = async () => {
      if (stopped) return 0;
      stopped = true;
      return writer.stop();
    };
    try {
      // The rate needs two readings. Take the first before the run, so that its first claim already
      // compares two: otherwise a fast run can finish before the second reading, however much WAL is written.
      const throttle = new ThrottleChecker(tdb.db, WAL_ONLY);
      await throttle.verdict("0");
      await new Promise((r) => setTimeout(r, 2 * WAL_ONLY.pollMs));
      const pass = runPass(testPassSetup({ db: tdb.db, logger: logs.logger, redis }, { throttle }));
      const runId = await activeRunId(tdb.db);
      const held = await throttledWith(tdb.db, runId, /^WAL rate [\d.]+ MB\/s > 2 MB\/s/);
      assert.ok(held.throttled_since);
      assert.ok((await stop()) > 0, "the writer wrote");
      const out = await pass;
      assert.equal(out.run.status, "completed");
      assert.equal((await getRun(tdb.db, runId))?.throttle_reason, null, "released");
      const ended = logs.lines().filter((l) => l.event === "throttle.ended" && l.runId === runId);
      assert.ok(ended.length >= 1, "throttle.ended logged");
      assert.match(String(ended[0]?.reason), /WAL rate/);
      assert.deepEqual(invalidLogLines(logs.lines()), []);
    } finally {
      await stop();
    }
  });
});
