import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { handleScheduledRun } from "../../jobs/scheduled-run.js";
import { getRun } from "../../src/db/run-get.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { collectingLogger, insertLegacyTags, invalidLogLines, recordingCli, runCli } from "./run-support.js";

describe("--window on schedule and run; bad window flags", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let env: Record<string, string>;
  const logs = collectingLogger();
  const { cli, lines: cliLines } = recordingCli(() => env);

  before(async () => {
    tdb = await createTestDatabase("window_cli");
    redis = await createTestRedis("window-cli");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 1, tagsPerRepo: 4 });
    env = { DATABASE_URL: tdb.url, REDIS_URL: redis.url, BACKFILL_QUEUE_PREFIX: redis.prefix };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
  });

  test("a scheduler tick carrying a window starts a run with it", async () => {
    const tick = await handleScheduledRun(
      { window: "22:00-06:00", timeZone: "America/New_York" },
      {
        db: tdb.db,
        logger: logs.logger,
        batchSize: 10,
        startedBy: { test: true },
        config: {},
        actor: "scheduler:test",
        enqueue: () => Promise.resolve(0),
      },
    );
    assert.equal(tick.kind, "started");
    const run = await getRun(tdb.db, tick.kind === "started" ? tick.runId : "0");
    assert.equal(run?.time_window, "22:00-06:00");
    assert.equal(run?.time_zone, "America/New_York");
    await sql`UPDATE backfill.run SET status = 'cancelled' WHERE id = ${run?.id}`.execute(tdb.db);
  });

  test("schedule --window: the ticks carry it and the schedule shows it", async () => {
    const installed = await cli([
      "schedule",
      "--every",
      "10m",
      "--window",
      "22:00-06:00",
      "--time-zone",
      "Europe/Berlin",
    ]);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(installed.stdout, /^schedule: every 600s, .*runs work 22:00-06:00 Europe\/Berlin/);
    const removed = await cli(["schedule", "--remove"]);
    assert.equal(removed.status, 0, removed.stderr);
  });

  test("bad --window, --time-zone or --max-lag stops run, schedule and tune with one line naming it, exit 2", async () => {
    // A URL that cannot answer: the usage checks come first.
    const dead = { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", REDIS_URL: "redis://127.0.0.1:1" };
    const cases: [string[], RegExp][] = [
      [
        ["run", "--window", "22:00-22:00"],
        /^backfill: --window '22:00-22:00' is empty: start and end are the same\n$/,
      ],
      [["run", "--window", "25:00-06:00"], /^backfill: --window expects HH:MM-HH:MM .*got '25:00-06:00'\n$/],
      [
        ["run", "--window", "22:00-06:00", "--time-zone", "Mars/Olympus"],
        /^backfill: --time-zone: unknown time zone 'Mars\/Olympus' .*\n$/,
      ],
      [
        ["schedule", "--every", "10m", "--window", "2200-0600"],
        /^backfill: --window expects .*'2200-0600'\n$/,
      ],
      [["schedule", "--window", "22:00-06:00"], /^backfill: --window goes with --every or --cron/],
      [["tune", "5", "--window", "06:00-06:00"], /^backfill: --window '06:00-06:00' is empty/],
      [["tune", "5", "--max-lag", "0"], /^backfill: --max-lag expects seconds, .*got '0'\n$/],
    ];
    for (const [args, pattern] of cases) {
      const out = await runCli(args, dead);
      assert.equal(out.status, 2, `${args.join(" ")}: ${out.stderr}`);
      assert.match(out.stderr, pattern, args.join(" "));
    }
    // A throttle line above the critical line: the run would be paused before it ever throttled on lag.
    const above = await runCli(["run", "--max-lag", "90"], {
      ...dead,
      BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: "60",
    });
    assert.equal(above.status, 2, above.stderr);
    assert.match(
      above.stderr,
      /^backfill: --max-lag 90 is above BACKFILL_CRITICAL_REPLICA_LAG_SECONDS \(60\): .*lower --max-lag or raise the variable\n$/,
    );
  });

  test("every line logged is valid against docs/log-events.schema.json", () => {
    assert.deepEqual(invalidLogLines([...logs.lines(), ...cliLines]), []);
  });
});
