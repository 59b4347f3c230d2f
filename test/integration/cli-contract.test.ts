import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { getRun } from "../../src/db/run-get.js";
import { createLogger } from "../../src/log.js";
import { openQueues } from "../../src/queue/backfill-queues.js";
import { DEFAULT_RETRY_POLICY } from "../../src/queue/retry-policy.js";
import { startOrResumeRun } from "../../src/run/start-run.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { insertLegacyTags, invalidLogLines, jsonLines, runCli } from "./run-support.js";
import { freePort } from "./outage-support.js";
import { testRun } from "./run-pass-support.js";

interface StatusRunJson {
  id: string;
  status: string;
  ratePerSec: number;
  etaMs: number | null;
  noWorker: boolean;
}

/** Results on stdout, logs on stderr, one JSON document per --json, one rate everywhere. */
describe("CLI output contract (streams, --json, rate, status, cancel)", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let dir: string;
  let key: SigningKeyFile;
  let env: Record<string, string>;
  let runId = "";

  before(async () => {
    tdb = await createTestDatabase("cli_contract");
    redis = await createTestRedis("cli-contract");
    await insertLegacyTags(tdb.db, {
      namespaces: ["acme"],
      reposPerNamespace: 2,
      tagsPerRepo: 8,
      hiddenEvery: 4,
    });
    dir = mkdtempSync(path.join(os.tmpdir(), "backfill-cli-contract-"));
    key = createSigningKeyFile("cli-contract");
    env = {
      DATABASE_URL: tdb.url,
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      BACKFILL_SIGNING_KEY_FILE: key.path,
    };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
    key.remove();
  });

  test("`run --dry-run --json --log-file F`: stdout is one JSON document, the log lines are in F", async () => {
    const logFile = path.join(dir, "logs", "run.log");
    const out = await runCli(["--log-file", logFile, "run", "--dry-run", "--json", "--no-progress"], env);
    assert.equal(out.status, 0, out.stderr);
    const doc = JSON.parse(out.stdout) as Record<string, unknown>;
    assert.equal(doc.ok, true);
    assert.equal(doc.dryRun, true);
    assert.equal(typeof doc.ratePerSec, "number");
    assert.deepEqual(jsonLines(out.stderr), [], "no log line on stderr with --log-file");
    const logged = jsonLines(readFileSync(logFile, "utf8"));
    assert.ok(logged.some((l) => l.event === "run.started"));
    assert.deepEqual(invalidLogLines(logged), []);
  });

  test("`run`: summary on stdout, logs on stderr; summary, last run.progress and status show one rate", async () => {
    const out = await runCli(["run", "--no-progress", "--batch-size", "5"], env);
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(jsonLines(out.stdout), [], "stdout holds the summary alone");
    const logs = jsonLines(out.stderr);
    assert.deepEqual(invalidLogLines(logs), []);
    runId = String(logs.find((l) => l.event === "run.started")?.runId);
    const summaryRate = Number(/\((\d+\.\d) tags\/s\)/.exec(out.stdout)?.[1]);
    const progress = logs.filter((l) => l.event === "run.progress" && typeof l.ratePerSec === "number");
    const logRate = progress.at(-1)?.ratePerSec;

    const status = await runCli(["status", "--json"], env);
    assert.equal(status.status, 0, status.stderr);
    const doc = JSON.parse(status.stdout) as {
      coverage: { mapped: number; legacy: number };
      runs: StatusRunJson[];
    };
    const statusRate = doc.runs.find((r) => r.id === runId)?.ratePerSec;
    const detail = await runCli(["status", "--run", runId], env);
    const detailRate = Number(/^ {2}rate {6}(\d+\.\d) tags\/s over /m.exec(detail.stdout)?.[1]);

    assert.ok(summaryRate > 0, out.stdout);
    assert.deepEqual([logRate, statusRate, detailRate], [summaryRate, summaryRate, summaryRate]);

    // Registry-wide coverage: Quay's measure, without hand-written SQL.
    const counts = await sql<{ mapped: number; legacy: number }>`
      SELECT (SELECT count(*) FROM tagtorepositorytag)::int AS mapped,
        (SELECT count(*) FROM repositorytag WHERE NOT hidden)::int AS legacy`.execute(tdb.db);
    assert.deepEqual(doc.coverage, counts.rows[0]);
    assert.equal(doc.coverage.mapped, doc.coverage.legacy);
  });

  test("`status`: column headers, coverage, no raw JSON; --limit bounds the runs listed", async () => {
    const out = await runCli(["status"], env);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^registry {2}12 of 12 non-hidden legacy tags mapped \(100\.0%\)$/m);
    assert.match(out.stdout, /^RUN +KIND +STATUS +TARGET +TAGS +BROKEN +FAILED +RATE +ETA$/m);
    assert.match(out.stdout, /^ {2}QUEUE +WAITING +ACTIVE/m);
    assert.doesNotMatch(out.stdout, /[{}]/, "no JSON blob in the human view");
    const rows = (text: string) => text.split("\n").filter((l) => /^\d+ +(backfill|reprocess)/.test(l));
    assert.equal(rows(out.stdout).length, 2, "the dry run and the run");
    const limited = await runCli(["status", "--limit", "1"], env);
    assert.deepEqual(
      rows(limited.stdout).map((l) => l.split(/ +/)[0]),
      [runId],
    );
    const detail = await runCli(["status", "--run", runId], env);
    assert.doesNotMatch(detail.stdout, /[{}]/, "no JSON blob in the run's detail");
    assert.match(detail.stdout, /^ {2}config {4}.*databaseUrl: postgres:\/\//m);
  });

  test("`reprocess --json` prints one JSON document", async () => {
    const tag = await tdb.db
      .selectFrom("tagtorepositorytag")
      .select("repository_tag_id")
      .executeTakeFirstOrThrow();
    const out = await runCli(
      ["reprocess", "--tag-ids", String(tag.repository_tag_id), "--force", "--json", "--no-progress"],
      env,
    );
    assert.equal(out.status, 0, out.stderr);
    const doc = JSON.parse(out.stdout) as Record<string, unknown>;
    assert.equal(doc.selected, 1);
    assert.equal(doc.ok, true);
  });

  test("a running run no worker serves: status says so instead of a rate and an ETA", async () => {
    await insertLegacyTags(tdb.db, { namespaces: ["idle"], reposPerNamespace: 1, tagsPerRepo: 6 });
    const { run } = await startOrResumeRun(tdb.db, testRun({ filters: { namespace: "idle" } }));
    const idleId = String(run.id);
    const read = async () => {
      const out = await runCli(["status", "--json"], env);
      assert.equal(out.status, 0, out.stderr);
      return (JSON.parse(out.stdout) as { runs: StatusRunJson[] }).runs.find((r) => r.id === idleId);
    };
    assert.equal((await read())?.noWorker, false, "a run just started gets time for its first claim");
    // Started five minutes ago, and nothing ever claimed a batch.
    await sql`UPDATE backfill.run_event SET at = at - interval '5 minutes' WHERE run_id = ${idleId}`.execute(
      tdb.db,
    );
    const idle = await read();
    assert.equal(idle?.status, "running");
    assert.equal(idle?.noWorker, true);
    assert.equal(idle?.etaMs, null);
    const text = await runCli(["status"], env);
    const row = text.stdout.split("\n").find((l) => l.startsWith(`${idleId} `));
    assert.match(row ?? "", / - +no worker: nothing claimed for 60s\+$/);
    assert.match(
      text.stdout,
      new RegExp(`run ${idleId} is running but no worker holds or claimed one of its batches`),
    );
    const detail = await runCli(["status", "--run", idleId], env);
    assert.match(detail.stdout, /^ {2}rate {6}- {2}\(run \d+ is running but no worker/m);
    assert.doesNotMatch(detail.stdout, /ETA/);
  });

  test("`cancel` removes the run's queued jobs from Redis", async () => {
    const run = await tdb.db
      .selectFrom("backfill.run")
      .select("id")
      .where("status", "=", "running")
      .executeTakeFirstOrThrow();
    const id = String(run.id);
    const batches = await tdb.db.selectFrom("backfill.batch").select("id").where("run_id", "=", id).execute();
    const queues = openQueues({
      redisUrl: redis.url,
      prefix: redis.prefix,
      logger: createLogger({ level: "silent" }),
    });
    try {
      await queues.enqueueBatches(
        id,
        batches.map((b) => String(b.id)),
        DEFAULT_RETRY_POLICY,
      );
      assert.equal((await queues.counts())["backfill-batches"]?.waiting, batches.length);
      const out = await runCli(["cancel", id], env);
      assert.equal(out.status, 0, out.stderr);
      assert.match(
        out.stdout,
        new RegExp(`^run ${id}: running -> cancelled; .*; ${batches.length} queued job\\(s\\) removed\\n$`),
      );
      assert.equal((await queues.counts())["backfill-batches"]?.waiting, 0);
    } finally {
      await queues.close();
    }
  });

  test("`cancel` with Redis down still cancels, and says the jobs are dropped by workers", async () => {
    await insertLegacyTags(tdb.db, { namespaces: ["later"], reposPerNamespace: 1, tagsPerRepo: 3 });
    const { run } = await startOrResumeRun(tdb.db, testRun({ filters: { namespace: "later" } }));
    const id = String(run.id);
    const out = await runCli(["cancel", id], {
      ...env,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    assert.equal(out.status, 0, out.stderr);
    assert.match(
      out.stdout,
      /its queued jobs stay in Redis \(unavailable: .*\); workers drop them when they reach them\n$/,
    );
    assert.equal((await getRun(tdb.db, id))?.status, "cancelled");
  });

  test("`status --watch 1` renders again every second until Ctrl-C, then exits 0", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "status", "--watch", "1"], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    const renders = () => stdout.split("Ctrl-C stops").length - 1;
    const code = await new Promise<number | null>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        if (renders() === 2) child.kill("SIGINT");
      });
      child.on("error", reject);
      child.on("close", resolve);
    });
    assert.equal(code, 0);
    assert.ok(renders() >= 2, stdout);
    assert.equal(stdout.split(/^RUN +KIND/m).length - 1, renders(), "each render is a full table");
    const json = await runCli(["status", "--watch", "1", "--json"], env);
    assert.equal(json.status, 2);
    assert.match(json.stderr, /^backfill: --watch .*\n$/);
  });
});
