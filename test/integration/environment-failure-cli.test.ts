import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import { REPO_ROOT } from "../support/repo-root.js";
import { createEmptyDatabase, databaseUrl, dropDatabase } from "../support/test-database.js";

const execFileP = promisify(execFile);
const created: string[] = [];

after(async () => {
  for (const name of created) await dropDatabase(name);
});

/** Runs the CLI with this DATABASE_URL; Redis points nowhere so nothing here can reach a queue. */
async function cli(url: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await execFileP(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "src/cli/main.ts"), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: url, REDIS_URL: "redis://127.0.0.1:1", LOG_LEVEL: "warn" },
    });
    return { code: 0, stderr: "" };
  } catch (err) {
    const failed = err as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

/** One line that says what to fix: no stack frames. */
function assertOneLine(stderr: string): void {
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m);
}

describe("an unusable database stops a command with what to fix", () => {
  test("PostgreSQL not answering: the URL without its password, exit 1, for run, status and migrate", async () => {
    const url = "postgres://backfill:hunter2secret@127.0.0.1:1/registry";
    const outcomes = await Promise.all([
      cli(url, "status"),
      cli(url, "run", "--dry-run", "--no-progress"),
      cli(url, "migrate"),
    ]);
    for (const { code, stderr } of outcomes) {
      assert.equal(code, 1, stderr);
      assertOneLine(stderr);
      assert.match(
        stderr,
        /cannot connect to PostgreSQL at postgres:\/\/backfill:\*\*\*@127\.0\.0\.1:1\/registry \(connection refused\): start the server or fix DATABASE_URL/,
      );
      assert.doesNotMatch(stderr, /hunter2secret/);
    }
  });

  test("a database that does not exist (exit 1), and a role that does not (exit 2)", async () => {
    const missingDb = await cli(databaseUrl("no_such_database_for_backfill"), "status");
    assert.equal(missingDb.code, 1, missingDb.stderr);
    assertOneLine(missingDb.stderr);
    assert.match(
      missingDb.stderr,
      /database "no_such_database_for_backfill" does not exist: create the database/,
    );

    const url = new URL(databaseUrl("test"));
    url.username = "no_such_role_for_backfill";
    const missingRole = await cli(url.toString(), "status");
    // A login refused is fixed in DATABASE_URL: a configuration error.
    assert.equal(missingRole.code, 2, missingRole.stderr);
    assertOneLine(missingRole.stderr);
    assert.match(
      missingRole.stderr,
      /refused the login \(.*no_such_role_for_backfill.*\): fix the user or password/,
    );
  });

  test("a database never migrated: run `backfill migrate` first; after it, the same command works", async () => {
    const name = await createEmptyDatabase("envfail_unmigrated");
    created.push(name);
    const before = await cli(databaseUrl(name), "status");
    assert.equal(before.code, 1, before.stderr);
    assertOneLine(before.stderr);
    assert.match(
      before.stderr,
      /has no backfill ledger \(relation "backfill\.\w+" does not exist\): run `backfill migrate` first/,
    );

    assert.equal((await cli(databaseUrl(name), "migrate")).code, 0);
    const afterMigrate = await cli(databaseUrl(name), "status");
    assert.equal(afterMigrate.code, 0, afterMigrate.stderr);
  });
});
