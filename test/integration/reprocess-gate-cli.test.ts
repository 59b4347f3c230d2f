import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { testKeyPem } from "./batch-harness.js";

/** Quay's tables a reprocess may write (the ledger is left out: a reprocess records its run there). */
const QUAY_TABLES = [
  "image",
  "manifest",
  "manifestblob",
  "manifestlegacyimage",
  "tag",
  "tagmanifest",
  "tagmanifesttomanifest",
  "tagtorepositorytag",
  "manifestlabel",
  "tagmanifestlabelmap",
];

/**
 * Issue 11 as the operator met it, through the real command line: the README's procedure (seed, run,
 * verify, reprocess --all-broken --force, verify) on a registry with unreadable stored manifests. Only
 * exit codes and the rows are asserted, never the wording of a result or a log line.
 */
describe("README procedure: reprocess --all-broken --force on a verified registry", () => {
  let t: TestDatabase;
  let redis: TestRedis;
  let keyDir: string;

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: t.url,
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      BACKFILL_SIGNING_KEY_FILE: path.join(keyDir, "key.pem"),
      LOG_LEVEL: "silent",
    };
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", path.join(REPO_ROOT, "src/cli/main.ts"), ...args],
        { cwd: REPO_ROOT, env, maxBuffer: 1 << 24 },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
        },
      );
    });
  }

  async function snapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const table of QUAY_TABLES)
      out[table] = (await sql`SELECT * FROM ${sql.table(table)} ORDER BY id`.execute(t.db)).rows;
    return out;
  }

  before(async () => {
    t = await createTestDatabase("reprocess_gate_cli");
    redis = await createTestRedis("reprocess-gate");
    keyDir = mkdtempSync(path.join(tmpdir(), "reprocess-gate-key-"));
    writeFileSync(path.join(keyDir, "key.pem"), testKeyPem(), { mode: 0o600 });
  });
  after(async () => {
    rmSync(keyDir, { recursive: true, force: true });
    await redis.cleanup();
    await t.drop();
  });

  test("seed, run, verify: exit 0; reprocess --all-broken --force changes no row; verify still exit 0", async () => {
    const seed = await cli(["seed", "--tags", "400", "--seed", "5", "--tagmanifest-rate", "0.2"]);
    assert.equal(seed.code, 0, seed.stderr);
    // The shape issue 11 is about: placeholders standing in for unreadable stored tag manifests.
    const run = await cli(["run", "--no-progress"]);
    assert.equal(run.code, 0, run.stderr);
    const placeholders = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM tagmanifest tm
        JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id JOIN manifest m ON m.id = l.manifest_id
       WHERE m.digest LIKE 'BROKEN-%' AND tm.digest NOT LIKE 'BROKEN-%'`.execute(t.db);
    assert.ok((placeholders.rows[0]?.n ?? 0) > 0, "the seed has unreadable stored manifests");
    assert.equal((await cli(["verify"])).code, 0, "the backfilled registry passes verify");

    const before = await snapshot();
    const dry = await cli(["reprocess", "--all-broken", "--force", "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    const changeLines = (out: string) =>
      out.split("\n").filter((line) => line.split("\t").length === 5 && line.includes(" -> "));
    assert.deepEqual(changeLines(dry.stdout), [], "the dry run proposes no change");
    for (const round of [1, 2]) {
      const reprocess = await cli(["reprocess", "--all-broken", "--force"]);
      assert.equal(reprocess.code, 0, reprocess.stderr);
      assert.deepEqual(await snapshot(), before, `reprocess ${round} changed no row of Quay's tables`);
      const verify = await cli(["verify"]);
      assert.equal(verify.code, 0, `verify after reprocess ${round}: ${verify.stdout}`);
    }
  });
});
