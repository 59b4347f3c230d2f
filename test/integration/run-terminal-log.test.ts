import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { insertLegacyTags, invalidLogLines, jsonLines } from "./run-support.js";

/** A command on a pseudo-terminal (util-linux `script`): what an operator's shell gives it. */
function onTerminal(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ status: number | null; output: string }> {
  const command = [process.execPath, "--import", "tsx", "src/cli/main.ts", ...args]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.LOG_LEVEL; // the command's own default, as in a shell
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: REPO_ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** `backfill --log-file F run` in a terminal: the bar on the terminal, every info line in F for a dashboard. */
describe("run in a terminal with --log-file", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let dir: string;

  before(async () => {
    tdb = await createTestDatabase("run_terminal_log");
    redis = await createTestRedis("run-terminal-log");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 2, tagsPerRepo: 6 });
    dir = mkdtempSync(path.join(os.tmpdir(), "backfill-terminal-log-"));
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the log file has the batches and run.progress; the terminal has no JSON line", async () => {
    const file = path.join(dir, "run.log");
    const env = { DATABASE_URL: tdb.url, REDIS_URL: redis.url, BACKFILL_QUEUE_PREFIX: redis.prefix };
    const out = await onTerminal(["--log-file", file, "run", "--dry-run", "--batch-size", "4"], env);
    assert.equal(out.status, 0, out.output);
    assert.equal(jsonLines(out.output).length, 0, out.output);
    const lines = jsonLines(readFileSync(file, "utf8"));
    const events = new Set(lines.map((l) => l.event));
    for (const event of ["run.started", "batch.completed", "run.progress", "run.completed"]) {
      assert.ok(events.has(event), `${event} missing from the log file: ${[...events].join(", ")}`);
    }
    assert.deepEqual(invalidLogLines(lines), []);
  });
});
