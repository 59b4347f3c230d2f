import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { handleBackfillBatch } from "../../jobs/backfill-batch.js";
import { batchProgress } from "../../src/db/batch-progress.js";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { getRun } from "../../src/db/run-get.js";
import { LeaseRegistry } from "../../src/run/lease-registry.js";
import { runPass, type RunPassSetup } from "../../src/run/run-pass.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import type { ThrottleSettings } from "../../src/run/throttle-settings.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import {
  collectingLogger,
  fakeProcessBatch,
  insertLegacyTags,
  invalidLogLines,
  mappingSnapshot,
  recordingCli,
  waitFor,
} from "./run-support.js";
import {
  activeRunId as activeRun,
  claims as claimCount,
  resetMappings as resetDb,
  testPassSetup,
  testRun,
  throttledWith as throttled,
  tagsNotInOneBatch,
} from "./run-pass-support.js";

/** Every server-wide signal off: only the run's window throttles. */
const QUIET = { urlTimeoutMs: 300, pollMs: 100 } as ThrottleSettings;

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

/** A gate batches wait on until the test opens it. */
function opened(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe("time windows and backfill tune", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let env: Record<string, string>;
  let candidates = 0;
  const logs = collectingLogger();
  const { cli, lines: cliLines } = recordingCli(() => env);

  before(async () => {
    tdb = await createTestDatabase("run_window_tune");
    redis = await createTestRedis("run-window-tune");
    ({ candidates } = await insertLegacyTags(tdb.db, {
      namespaces: ["acme", "beta"],
      reposPerNamespace: 2,
      tagsPerRepo: 10,
      hiddenEvery: 5,
    }));
    env = { DATABASE_URL: tdb.url, REDIS_URL: redis.url, BACKFILL_QUEUE_PREFIX: redis.prefix };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  const setup = (
    overrides: Partial<RunPassSetup> = {},
    run: Partial<RunPassSetup["run"]> = {},
  ): RunPassSetup =>
    testPassSetup(
      { db: tdb.db, logger: logs.logger, redis },
      {
        processBatch: fakeProcessBatch(tdb.db, { delayMs: 200 }),
        throttle: new ThrottleChecker(tdb.db, QUIET),
        resyncMs: 500,
        run: testRun(run),
        ...overrides,
      },
    );
  const resetMappings = () => resetDb(tdb.db);
  const activeRunId = () => activeRun(tdb.db);
  const throttledWith = (runId: string, pattern: RegExp) => throttled(tdb.db, runId, pattern);
  const claims = (runId: string) => claimCount(tdb.db, runId);
  /** One delivery of a batch job, as a worker without a throttle makes it. */
  const deliver = (runId: string, batchId: string) =>
    handleBackfillBatch(
      { runId, batchId },
      {
        db: tdb.db,
        logger: logs.logger,
        processBatch: fakeProcessBatch(tdb.db),
        leases: new LeaseRegistry(),
        leaseMs: 3000,
        attempt: 1,
        maxAttempts: 3,
        actor: "test",
      },
    );
  const events = (name: string, runId: string) =>
    [...logs.lines(), ...cliLines].filter((l) => l.event === name && l.runId === runId);

  test("outside its window a run makes no progress, throttled with reason window; inside it finishes", async () => {
    // Noon in Berlin (summer time), then 23:00: the checker reads the window against this clock.
    let clock = Date.parse("2026-07-15T10:00:00Z");
    const checker = new ThrottleChecker(tdb.db, QUIET, () => clock);
    const pass = runPass(
      setup({ throttle: checker }, { window: { window: "22:00-06:00", zone: "Europe/Berlin" } }),
    );
    const runId = await activeRunId();
    await throttledWith(runId, /^window 22:00-06:00 Europe\/Berlin$/);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(await claims(runId), 0, "no batch claimed outside the window");
    const status = await cli(["status"]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(`run ${runId} throttled: window 22:00-06:00 Europe/Berlin, since`),
    );
    const [started] = events("throttle.started", runId);
    assert.equal(started?.reason, "window 22:00-06:00 Europe/Berlin");
    clock = Date.parse("2026-07-15T21:00:00Z");
    const out = await pass;
    assert.equal(out.run.status, "completed");
    const [ended] = events("throttle.ended", runId);
    assert.equal(ended?.reason, "window 22:00-06:00 Europe/Berlin");
    const run = await getRun(tdb.db, runId);
    assert.equal(run?.time_window, "22:00-06:00");
    assert.equal(run?.time_zone, "Europe/Berlin");
  });

  test("tune --window on a running run throttles it by the real clock; --no-window releases it", async () => {
    await resetMappings();
    // Batches wait until the tune is in: a slow `backfill tune` start must not find the run finished.
    const gate = opened();
    const pass = runPass(setup({ processBatch: fakeProcessBatch(tdb.db, { before: () => gate.wait }) }));
    const runId = await activeRunId();
    // Opens in an hour, closes in two: now is outside it.
    const window = `${hhmm(Date.now() + 3_600_000)}-${hhmm(Date.now() + 7_200_000)}`;
    const tuned = await cli(["tune", runId, "--window", window, "--time-zone", "UTC"]);
    assert.equal(tuned.status, 0, tuned.stderr);
    assert.match(tuned.stdout, new RegExp(`run ${runId}: window none -> ${window} UTC`));
    gate.open();
    await throttledWith(runId, new RegExp(`^window ${window} UTC$`));
    const held = await claims(runId);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(await claims(runId), held, "no new claim outside the window");
    const released = await cli(["tune", runId, "--no-window"]);
    assert.equal(released.status, 0, released.stderr);
    assert.equal((await pass).run.status, "completed");
  });

  test("tune --batch-size re-cuts the pending batches; every tag is mapped exactly once", async () => {
    await resetMappings();
    // The first batch goes through; the rest wait until the tune is in.
    const gate = opened();
    const processBatch = fakeProcessBatch(tdb.db, { before: (n) => (n === 0 ? undefined : gate.wait) });
    const pass = runPass(setup({ processBatch }));
    const runId = await activeRunId();
    await waitFor("a batch done", async () => (await batchProgress(tdb.db, runId)).batches.done >= 1);
    const before = await tdb.db
      .selectFrom("backfill.batch")
      .select(["id", "status"])
      .where("run_id", "=", runId)
      .execute();
    const tuned = await cli([
      "tune",
      runId,
      "--batch-size",
      "5",
      "--max-lag",
      "30",
      "--nice-ratio",
      "0.5",
      "--reason",
      "faster",
    ]);
    gate.open();
    assert.equal(tuned.status, 0, tuned.stderr);
    assert.match(
      tuned.stdout,
      /batchSize 2 -> 5, maxReplicaLagS none -> 30, niceRatio default -> 0.5; \d+ pending batch\(es\) re-cut into \d+/,
    );
    const out = await pass;
    assert.equal(out.run.status, "completed");
    assert.equal(out.run.batch_size, 5);
    assert.equal(out.run.max_replica_lag_s, 30);
    assert.equal(out.progress.batches.failed, 0);
    assert.deepEqual((await mappingSnapshot(tdb.db)).counts, {
      tags: candidates,
      maps: candidates,
      orphans: 0,
      unmapped: 0,
    });
    // Every candidate lies in exactly one batch of the run, and the re-cut ones hold at most 5.
    assert.deepEqual(await tagsNotInOneBatch(tdb.db, runId), []);
    const removed = before.filter((b) => b.status === "pending").map((b) => String(b.id));
    // Those claimed between our look and the tune finished as they were; the rest were replaced.
    const left = await tdb.db
      .selectFrom("backfill.batch")
      .select(["id", "status"])
      .where("id", "in", removed)
      .execute();
    assert.ok(left.every((b) => b.status === "done"));
    const gone = removed.filter((id) => !left.some((b) => String(b.id) === id));
    assert.ok(gone.length > 0, "some pending batches were replaced");
    // A queued job of a replaced batch ends harmlessly.
    const delivery = await deliver(runId, gone[0] ?? "0");
    assert.deepEqual(delivery, { kind: "run-inactive", status: "completed" });
    const history = await listRunEvents(tdb.db, runId);
    const tune = history.find((e) => (e.detail as { command?: string }).command === "tune");
    assert.ok(tune, "the tune is in the run's history");
    assert.match(String(tune.actor), /@/);
    assert.deepEqual((tune.detail as { changes: unknown }).changes, {
      batchSize: { from: 2, to: 5 },
      maxReplicaLagS: { from: null, to: 30 },
      niceRatio: { from: null, to: 0.5 },
    });
    assert.equal((tune.detail as { reason?: string }).reason, "faster");
    const detail = await cli(["status", "--run", runId]);
    assert.match(detail.stdout, /\n {2}settings {2}max replica lag 30 s, nice ratio 0.5\n/);
    assert.match(
      detail.stdout,
      /running -> running {2}by \S+@\S+ {2}\(.*batchSize: \{to: 5, from: 2\}.*command: tune/,
    );
    const [logged] = events("run.tuned", runId);
    assert.ok(logged, "run.tuned logged");
    assert.equal(logged.enqueued, true);
  });

  test("a delivery of a batch the re-cut removed, while the run runs, is skipped", async () => {
    await resetMappings();
    const pass = runPass(
      setup(
        { throttle: new ThrottleChecker(tdb.db, QUIET, () => 0) },
        {
          window: { window: "01:00-02:00", zone: "UTC" },
        },
      ),
    );
    const runId = await activeRunId();
    await throttledWith(runId, /^window 01:00-02:00 UTC$/);
    const [pending] = await tdb.db
      .selectFrom("backfill.batch")
      .select("id")
      .where("run_id", "=", runId)
      .where("status", "=", "pending")
      .execute();
    const tuned = await cli(["tune", runId, "--batch-size", "3", "--no-window"]);
    assert.equal(tuned.status, 0, tuned.stderr);
    const delivery = await deliver(runId, String(pending?.id));
    assert.deepEqual(delivery, { kind: "not-claimable", status: "gone" });
    assert.equal((await pass).run.status, "completed");
    assert.equal((await mappingSnapshot(tdb.db)).counts?.unmapped, 0);
  });

  test("tune: an unknown run exits 1, a finished run 2, nothing to change 2", async () => {
    const unknown = await cli(["tune", "999999", "--batch-size", "5"]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^backfill: no run with id '999999'/);
    const finished = await tdb.db
      .selectFrom("backfill.run")
      .select("id")
      .where("status", "=", "completed")
      .executeTakeFirstOrThrow();
    const late = await cli(["tune", String(finished.id), "--max-lag", "10"]);
    assert.equal(late.status, 2);
    assert.match(late.stderr, new RegExp(`cannot tune run ${String(finished.id)}: it is completed`));
    const nothing = await cli(["tune", String(finished.id)]);
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /nothing to change/);
  });

  test("every line logged is valid against docs/log-events.schema.json", () => {
    assert.deepEqual(invalidLogLines([...logs.lines(), ...cliLines]), []);
  });
});
