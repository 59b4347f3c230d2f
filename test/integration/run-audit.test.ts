import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { listRunEvents } from "../../src/db/run-events-list.js";
import { startOrResumeRun } from "../../src/run/start-run.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { insertLegacyTags, invalidLogLines, jsonLines, runCli } from "./run-support.js";
import { testRun } from "./run-pass-support.js";

const PASSWORD = "audit-pw-5c1e9d";

/** Who and what started a run, every state change, and no secret in any of it. */
describe("run audit", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let keyDir: string;
  let keyLines: string[];
  let env: Record<string, string>;

  before(async () => {
    tdb = await createTestDatabase("run_audit");
    redis = await createTestRedis("run-audit");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 6 });
    keyDir = mkdtempSync(path.join(os.tmpdir(), "backfill-audit-"));
    const keyFile = path.join(keyDir, "key.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(keyFile, pem, { mode: 0o600 });
    keyLines = pem.split("\n").filter((l) => l.length > 40 && !l.startsWith("-----"));
    const url = new URL(tdb.url);
    url.password = PASSWORD; // trust auth ignores it; it must not be stored anywhere
    env = {
      DATABASE_URL: url.toString(),
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      BACKFILL_SIGNING_KEY_FILE: keyFile,
    };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  test("`run` records user, host, command line, code version and the redacted config; status shows them", async () => {
    const run = await runCli(["run", "--batch-size", "5", "--no-progress"], env);
    assert.equal(run.status, 0, run.stderr);
    const row = await tdb.db.selectFrom("backfill.run").selectAll().executeTakeFirstOrThrow();
    const by = row.started_by as Record<string, unknown>;
    assert.equal(by.user, os.userInfo().username);
    assert.equal(by.host, os.hostname());
    assert.equal(by.via, "cli");
    assert.deepEqual(by.argv, ["run", "--batch-size", "5", "--no-progress"]);
    assert.match(String(by.codeVersion), /^\d+\.\d+\.\d+(\+[0-9a-f]{12})?$/);
    const config = row.config as Record<string, unknown>;
    assert.match(String(config.databaseUrl), /:\*\*\*@/);
    assert.equal(config.batchSize, 5);
    assert.equal(config.signed, true);
    const events = await listRunEvents(tdb.db, String(row.id));
    assert.deepEqual(
      events.map((e) => [e.from_status, e.to_status]),
      [
        [null, "running"],
        ["running", "completed"],
      ],
    );
    assert.equal(events[0]?.actor, `${os.userInfo().username}@${os.hostname()}`);
    for (const e of events) assert.ok(e.at instanceof Date);

    const status = await runCli(["status", "--run", String(row.id)], env);
    assert.equal(status.status, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(
        `started {3}${os.userInfo().username}@${os.hostname()} via cli \\(pid \\d+\\), code \\S+: backfill run --batch-size 5`,
      ),
    );
    assert.match(status.stdout, /\(new\) -> running {2}by \S+@\S+/);
    assert.match(status.stdout, /running -> completed {2}by worker:/);
    assert.deepEqual(invalidLogLines(jsonLines(run.stderr)).slice(0, 5), []);
    assert.ok(jsonLines(run.stderr).length > 0, "log lines go to stderr");
    assert.deepEqual(jsonLines(run.stdout), [], "no log line on stdout");
  });

  test("pause and cancel rows name the operator; no audit row holds the password or key material", async () => {
    await sql`DELETE FROM tagtorepositorytag`.execute(tdb.db);
    await sql`DELETE FROM tag`.execute(tdb.db);
    // An active run no worker serves, for the operator commands to act on.
    const { run } = await startOrResumeRun(tdb.db, testRun({ batchSize: 5 }));
    const runId = String(run.id);
    assert.equal((await runCli(["pause", runId, "--reason", "audit"], env)).status, 0);
    assert.equal((await runCli(["cancel", runId], env)).status, 0);
    const events = await listRunEvents(tdb.db, runId);
    const operator = `${os.userInfo().username}@${os.hostname()}`;
    assert.deepEqual(
      events.map((e) => [e.to_status, e.actor]),
      [
        ["running", "test"],
        ["paused", operator],
        ["cancelled", operator],
      ],
    );
    const runs = await tdb.db.selectFrom("backfill.run").selectAll().execute();
    const all = await tdb.db.selectFrom("backfill.run_event").selectAll().execute();
    const stored = JSON.stringify({ runs, all });
    assert.ok(stored.includes("***"), "the password was there to redact");
    assert.ok(!stored.includes(PASSWORD), "the DATABASE_URL password reached an audit row");
    for (const line of keyLines) assert.ok(!stored.includes(line), "key material reached an audit row");
    assert.ok(!stored.includes("PRIVATE KEY"));
  });
});
