import { sql, type Kysely } from "kysely";
import { JOB_TABLE } from "../../jobs/job-table.js";
import { getRun } from "../../src/db/run-get.js";
import { createRun } from "../../src/db/run-create.js";
import type { Database } from "../../src/db/tables.js";
import type { Logger } from "../../src/log.js";
import type { RunPassSetup } from "../../src/run/run-pass.js";
import type { TestRedis } from "../support/test-redis.js";
import { fakeProcessBatch, waitFor } from "./run-support.js";

/** The run a test starts: a backfill of everything, two tags a batch, started by "test". */
export function testRun(overrides: Partial<RunPassSetup["run"]> = {}): RunPassSetup["run"] {
  return {
    kind: "backfill",
    filters: {},
    options: {},
    dryRun: false,
    batchSize: 2,
    startedBy: { test: true },
    config: {},
    actor: "test",
    ...overrides,
  };
}

/** An in-process pass over the test's database and Redis with the job table and a fake batch core. */
export function testPassSetup(
  env: { db: Kysely<Database>; logger: Logger; redis: TestRedis },
  overrides: Partial<RunPassSetup> = {},
): RunPassSetup {
  return {
    db: env.db,
    logger: env.logger,
    redisUrl: env.redis.url,
    prefix: env.redis.prefix,
    concurrency: 2,
    leaseMs: 3000,
    retry: { attempts: 3, backoffMs: 50, jitter: 0.5 },
    processBatch: fakeProcessBatch(env.db, { delayMs: 50 }),
    jobs: JOB_TABLE,
    pollMs: 50,
    progressLogMs: 0,
    run: testRun(),
    ...overrides,
  };
}

/** Unmaps every tag, so the next pass has all of them to do again. */
export async function resetMappings(db: Kysely<Database>): Promise<void> {
  await sql`DELETE FROM tagtorepositorytag`.execute(db);
  await sql`DELETE FROM tag`.execute(db);
}

/** The id of the running run, once it exists. */
export function activeRunId(db: Kysely<Database>): Promise<string> {
  return waitFor("the run to exist", async () => {
    const row = await db
      .selectFrom("backfill.run")
      .select("id")
      .where("status", "=", "running")
      .executeTakeFirst();
    return row ? String(row.id) : undefined;
  });
}

/** The run's row once its throttle reason matches. */
export function throttledWith(db: Kysely<Database>, runId: string, pattern: RegExp) {
  return waitFor(`run ${runId} throttled with ${String(pattern)}`, async () => {
    const run = await getRun(db, runId);
    return run?.throttle_reason && pattern.test(run.throttle_reason) ? run : undefined;
  });
}

/** How many claims the run's batches have had (0: nothing was ever attempted). */
export async function claims(db: Kysely<Database>, runId: string): Promise<number> {
  const row = await db
    .selectFrom("backfill.batch")
    .select((eb) => eb.fn.sum<string>("attempts").as("n"))
    .where("run_id", "=", runId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The visible tags that do not lie in exactly one batch of the run ([] when the batches cover each once). */
export async function tagsNotInOneBatch(
  db: Kysely<Database>,
  runId: string,
): Promise<{ id: number; n: number }[]> {
  const cover = await sql<{ id: number; n: number }>`
    SELECT rt.id, (SELECT count(*) FROM backfill.batch b
                    WHERE b.run_id = ${runId}::bigint AND rt.id BETWEEN b.lo AND b.hi)::int AS n
    FROM repositorytag rt WHERE NOT rt.hidden`.execute(db);
  return cover.rows.filter((r) => r.n !== 1);
}

/**
 * A new backfill run of every tag, its batches cut, after cancelling the running ones (a test's runs come
 * one after another); its id.
 */
export async function createAllTagsRun(
  db: Kysely<Database>,
  settings: { batchSize: number; config?: object },
): Promise<string> {
  await sql`UPDATE backfill.run SET status = 'cancelled' WHERE status IN ('running', 'paused')`.execute(db);
  const run = await createRun(db, {
    kind: "backfill",
    target: "all",
    filters: {},
    options: {},
    dryRun: false,
    batchSize: settings.batchSize,
    startedBy: {},
    config: settings.config ?? {},
    actor: "test",
  });
  if (!run) throw new Error("the test run was not created");
  return String(run.id);
}
