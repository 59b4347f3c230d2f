import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { buildMappedDataset, type MappedDataset } from "./verify-dataset.js";

let testDb: TestDatabase;
let data: MappedDataset;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(REPO_ROOT, "src/cli/main.ts"), "verify", ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: testDb.url, LOG_LEVEL: "silent" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("backfill verify (command line)", () => {
  before(async () => {
    testDb = await createTestDatabase("verify_cli");
    data = await buildMappedDataset(testDb.db);
  });
  after(async () => {
    await testDb.drop();
  });

  test("clean: exit 0, JSON says ok", async () => {
    const { code, stdout } = await cli(["--json"]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { ok: true, checkedTags: 3, chunks: 1, sample: null, problems: [] });
    const table = await cli([]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^checked 3 mapped tags \(all mapped tags\) in 1 chunk\n/);
  });

  test("a problem: exit 1, JSON lists the class with count and examples; the table names it", async () => {
    const { repositoryTagId } = data.brokenTag;
    await sql`UPDATE tagmanifesttomanifest SET broken = false WHERE id = ${data.brokenTag.mappingId}`.execute(
      testDb.db,
    );
    try {
      const json = await cli(["--json", "--repository", "devtable/simple"]);
      assert.equal(json.code, 1);
      const report = JSON.parse(json.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(report), ["ok", "checkedTags", "chunks", "sample", "problems"]);
      assert.equal(report.ok, false);
      assert.deepEqual(report.problems, [
        {
          code: "placeholder_invalid",
          severity: "failing",
          summary:
            "broken placeholder is not BROKEN-<repositorytag id> / {} / signed-schema1 / no blobs / broken",
          count: 1,
          examples: [
            {
              repositoryTagId,
              tag: "devtable/simple:broken",
              detail: "tagmanifesttomanifest.broken is false",
            },
          ],
        },
      ]);
      const table = await cli([]);
      assert.equal(table.code, 1);
      assert.match(table.stdout, /^placeholder_invalid\s+failing\s+1 /m);
      assert.match(
        table.stdout,
        new RegExp(`#${repositoryTagId} devtable/simple:broken: tagmanifesttomanifest`),
      );
      assert.match(table.stdout, /^FAILED/m);
    } finally {
      await sql`UPDATE tagmanifesttomanifest SET broken = true WHERE id = ${data.brokenTag.mappingId}`.execute(
        testDb.db,
      );
    }
  });

  test("--sample and an unknown repository", async () => {
    const sampled = await cli(["--json", "--sample", "2"]);
    assert.equal(sampled.code, 0);
    assert.equal((JSON.parse(sampled.stdout) as { checkedTags: number }).checkedTags, 2);
    const unknown = await cli(["--repository", "devtable/nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /repository devtable\/nope does not exist/);
  });
});
