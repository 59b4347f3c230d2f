import { after, before } from "node:test";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../src/db/tables.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { runPass, type RunPassSetup } from "../../src/run/run-pass.js";
import type { ThrottleGate } from "../../src/run/throttle-checker.js";
import { collectingLogger, fakeProcessBatch, insertLegacyTags } from "./run-support.js";
import { resetMappings, testPassSetup, testRun } from "./run-pass-support.js";

/** What a suite of passes over the same tags shares; `tdb` and `redis` exist from its `before` on. */
export interface PassSuite {
  tdb: TestDatabase;
  redis: TestRedis;
  readonly logs: ReturnType<typeof collectingLogger>;
}

/**
 * Registers the suite's hooks: its own database with 2 × `tagsPerRepo` legacy tags in namespace acme and
 * its own Redis prefix, both gone after the suite. Call it inside `describe`.
 */
export function passSuite(name: string, tagsPerRepo: number): PassSuite {
  const suite = { logs: collectingLogger() } as PassSuite;
  before(async () => {
    suite.tdb = await createTestDatabase(name.replace(/-/g, "_"));
    suite.redis = await createTestRedis(name);
    await insertLegacyTags(suite.tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo });
  });
  after(async () => {
    await suite.redis.cleanup();
    await suite.tdb.drop();
  });
  return suite;
}

/** Every tag unmapped and no run running: the next pass has all of them to do. */
export async function freshPass(db: Kysely<Database>): Promise<void> {
  await resetMappings(db);
  await sql`UPDATE backfill.run SET status = 'cancelled' WHERE status = 'running'`.execute(db);
}

/** One pass of the suite's tags in batches of 2 that take 300 ms each, asking `throttle` before each claim. */
export function slowPass(
  suite: PassSuite,
  throttle: ThrottleGate,
  concurrency: number,
  run: Partial<RunPassSetup["run"]> = {},
): ReturnType<typeof runPass> {
  const { tdb, redis, logs } = suite;
  return runPass(
    testPassSetup(
      { db: tdb.db, logger: logs.logger, redis },
      { throttle, concurrency, processBatch: fakeProcessBatch(tdb.db, { delayMs: 300 }), run: testRun(run) },
    ),
  );
}

/** When each batch of a run started and finished (epoch ms), in the order they started. */
export async function batchSpans(
  db: Kysely<Database>,
  runId: string,
): Promise<{ start: number; end: number }[]> {
  const rows = await db
    .selectFrom("backfill.batch")
    .select(["started_at", "finished_at"])
    .where("run_id", "=", runId)
    .orderBy("started_at")
    .execute();
  const ms = (t: unknown) => new Date(t as string).getTime();
  return rows.map((b) => ({ start: ms(b.started_at), end: ms(b.finished_at) }));
}
