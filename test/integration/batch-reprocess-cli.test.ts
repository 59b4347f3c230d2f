import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import { loadReprocessTagIds, type ReprocessSelection } from "../../src/db/load-reprocess-tag-ids.js";
import type { Database } from "../../src/db/tables.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { LegacyFixtures } from "./batch-fixtures.js";
import { runBatch, testKeyPem } from "./batch-harness.js";
import { buildReprocessData, fixInPlace, type ReprocessIds } from "./batch-reprocess-data.js";
import { invalidLogLines, jsonLines } from "./run-support.js";

const QUAY_TABLES = [
  "image",
  "imagestorage",
  "tagmanifest",
  "manifest",
  "manifestblob",
  "manifestlegacyimage",
  "tag",
  "tagmanifesttomanifest",
  "tagtorepositorytag",
  "manifestlabel",
  "tagmanifestlabelmap",
];

async function snapshot(db: Kysely<Database>, ledger: boolean): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of QUAY_TABLES) {
    out[table] = (await sql`SELECT * FROM ${sql.table(table)} ORDER BY id`.execute(db)).rows;
  }
  if (ledger) {
    for (const table of ["backfill.run", "backfill.batch", "backfill.tag_outcome", "backfill.run_event"]) {
      out[table] = (await sql`SELECT * FROM ${sql.table(table)} ORDER BY 1`.execute(db)).rows;
    }
  }
  return out;
}

describe("backfill reprocess (command line)", () => {
  let t: TestDatabase;
  let redis: TestRedis;
  let ids: ReprocessIds;
  let keyDir: string;
  let hidden: number;

  function cli(
    command: string,
    args: string[],
    withKey = true,
    logLevel = "silent",
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: t.url,
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      LOG_LEVEL: logLevel,
    };
    if (withKey) env.BACKFILL_SIGNING_KEY_FILE = path.join(keyDir, "key.pem");
    else delete env.BACKFILL_SIGNING_KEY_FILE;
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", path.join(REPO_ROOT, "src/cli/main.ts"), command, ...args],
        { cwd: REPO_ROOT, env, maxBuffer: 1 << 24 },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
        },
      );
    });
  }
  const select = async (selection: ReprocessSelection) =>
    (await loadReprocessTagIds(t.db, selection)).map((tag) => tag.id);

  before(async () => {
    t = await createTestDatabase("batch_reprocess_cli");
    redis = await createTestRedis("reprocess-cli");
    keyDir = mkdtempSync(path.join(tmpdir(), "reprocess-key-"));
    writeFileSync(path.join(keyDir, "key.pem"), testKeyPem(), { mode: 0o600 });
    ids = await buildReprocessData(t.db);
    const f = new LegacyFixtures(t.db);
    const image = await t.db.selectFrom("image").select("id").executeTakeFirstOrThrow();
    hidden = await f.tag(ids.app!, "hidden", image.id, { hidden: true });
    const signer = createSignerPool(testKeyPem(), { mode: "threads", threads: 1 });
    try {
      await runBatch(t.db, signer, { lo: 1, hi: 1e9 });
    } finally {
      await signer.close();
    }
    await fixInPlace(t.db, ids);
  });
  after(async () => {
    rmSync(keyDir, { recursive: true, force: true });
    await redis.cleanup();
    await t.drop();
  });

  test("each selection flag selects exactly its tags, hidden ones never; criteria combine", async () => {
    const app = ["clean", "legacyGone", "missingParent", "uploading", "badJson", "stored", "corrupt"]
      .concat(["missingBlob", "pinnedPlaceholder"])
      .map((name) => ids[name]!);
    const other = ["twinA", "twinB", "liveMoved", "deadMoved"].map((name) => ids[name]!);
    const broken = ["missingParent", "uploading", "badJson", "corrupt", "missingBlob", "pinnedPlaceholder"]
      .map((name) => ids[name]!)
      .sort((a, b) => a - b);
    assert.deepEqual(await select({ repository: "devtable/app" }), app);
    assert.deepEqual(await select({ repository: "devtable/other" }), other);
    assert.deepEqual(await select({ namespace: "devtable" }), [...app, ...other]);
    assert.deepEqual(await select({ namespace: "nobody" }), []);
    assert.deepEqual(await select({ tagIds: [ids.twinB!, ids.clean!, hidden, 999999] }), [
      ids.clean,
      ids.twinB,
    ]);
    assert.deepEqual(await select({ idRange: { lo: ids.uploading!, hi: ids.stored! } }), [
      ids.uploading,
      ids.badJson,
      ids.stored,
    ]);
    assert.deepEqual(await select({ reason: "missing_parent" }), [ids.missingParent, ids.pinnedPlaceholder]);
    assert.deepEqual(await select({ reason: "uploading_storage" }), [ids.uploading]);
    assert.deepEqual(await select({ allBroken: true }), broken);
    assert.deepEqual(await select({ allBroken: true, repository: "devtable/other" }), []);
    assert.deepEqual(await select({ reason: "missing_parent", idRange: { lo: 1, hi: ids.missingParent! } }), [
      ids.missingParent,
    ]);
  });

  test("usage errors exit 2 and say what to give", async () => {
    const none = await cli("reprocess", ["--force"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /select the tags: --repository/);
    const reason = await cli("reprocess", ["--reason", "missing_parnet"]);
    assert.equal(reason.code, 2);
    assert.match(reason.stderr, /unknown reason code 'missing_parnet'/);
    const range = await cli("reprocess", ["--id-range", "9-3"]);
    assert.equal(range.code, 2);
    assert.match(range.stderr, /--id-range expects LO-HI/);
  });

  test("without --force mapped tags are left alone, with a hint", async () => {
    const before = await snapshot(t.db, true);
    const out = await cli("reprocess", ["--all-broken"]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, "no tags to reprocess\n");
    assert.match(out.stderr, /6 selected tag\(s\) are mapped already: --force recomputes them/);
    assert.deepEqual(await snapshot(t.db, true), before);
  });

  test("--dry-run prints one stable line per change and writes nothing, not even a run; --json too", async () => {
    const before = await snapshot(t.db, true);
    const out = await cli("reprocess", ["--all-broken", "--force", "--dry-run"], false);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await snapshot(t.db, true), before);
    const lines = out.stdout.trimEnd().split("\n");
    assert.match(
      lines.at(-1)!,
      /^dry run: 6 tag\(s\): 0 would be mapped, 6 would be repaired \(\d+ change\(s\)\)/,
    );
    const changes = lines.slice(0, -1).map((line) => line.split("\t"));
    for (const fields of changes) {
      assert.equal(fields.length, 5, fields.join("|"));
      assert.match(fields[4]!, / -> /);
    }
    const uploading = changes.filter((f) => f[0] === String(ids.uploading));
    assert.deepEqual(
      uploading.map((f) => f[2]),
      [
        "manifest.digest",
        "manifestblob.blob_id",
        "manifestblob.blob_id",
        "manifestlegacyimage.image_id",
        "tagmanifest.digest",
        "tagmanifest.json_data",
        "tagmanifesttomanifest.manifest_id",
        "tagmanifesttomanifest.broken",
        "tag.manifest_id",
        "manifest.id",
      ],
    );
    assert.equal(uploading[0]![1], "devtable/app:uploading");
    assert.match(uploading[4]![4]!, new RegExp(`^BROKEN-${ids.uploading} -> sha256:[0-9a-f]{64}$`));
    assert.equal(uploading[7]![4], "true -> false");

    const json = await cli(
      "reprocess",
      ["--tag-ids", String(ids.uploading), "--force", "--dry-run", "--json"],
      false,
    );
    assert.equal(json.code, 0, json.stderr);
    // One JSON document: every tag with its changes, and the tally.
    const doc = JSON.parse(json.stdout) as {
      tags: Record<string, unknown>[];
      summary: Record<string, number>;
    };
    assert.equal(doc.tags[0]?.reprocess, "repaired");
    assert.equal((doc.tags[0]?.changes as unknown[]).length, uploading.length);
    assert.deepEqual(doc.summary.repaired, 1);
  });

  test("a real reprocess run repairs the fixed tags through the ledger and queue; verify is clean; a rerun is a no-op", async () => {
    const out = await cli("reprocess", ["--all-broken", "--force", "--batch-size", "4"], true, "info");
    assert.equal(out.code, 0, out.stderr + out.stdout);
    assert.match(out.stdout, /6 tag\(s\) selected, 0 mapped, 6 repaired, 0 unchanged, 0 refused, 0 failed/);
    // One tag.repaired line per repaired tag, in the documented shape.
    // Log lines on stderr; stdout holds the result alone.
    const lines = jsonLines(out.stderr);
    assert.deepEqual(jsonLines(out.stdout), []);
    assert.deepEqual(invalidLogLines(lines), []);
    const repaired = lines.filter((l) => l.event === "tag.repaired");
    const brokenIds = ["missingParent", "uploading", "badJson", "corrupt", "missingBlob", "pinnedPlaceholder"]
      .map((name) => ids[name]!)
      .sort((a, b) => a - b);
    assert.deepEqual(
      repaired.map((l) => l.repositoryTagId as number).sort((a, b) => a - b),
      brokenIds,
    );
    for (const line of repaired) {
      assert.ok((line.changes as number) > 0 && (line.columns as string[]).length > 0, JSON.stringify(line));
      assert.equal(line.repository, "devtable/app");
    }
    const run = await t.db
      .selectFrom("backfill.run")
      .selectAll()
      .where("kind", "=", "reprocess")
      .executeTakeFirstOrThrow();
    assert.equal(run.status, "completed");
    const batches = await t.db
      .selectFrom("backfill.batch")
      .select("status")
      .where("run_id", "=", run.id)
      .execute();
    assert.deepEqual(
      batches.map((b) => b.status),
      ["done", "done"],
    );
    const verify = await cli("verify", ["--json"]);
    const report = JSON.parse(verify.stdout) as {
      ok: boolean;
      problems: { code: string; severity: string }[];
    };
    assert.deepEqual(
      report.problems.filter((p) => p.severity === "failing").map((p) => p.code),
      [],
      verify.stdout,
    );
    assert.equal(verify.code, 0);

    const before = await snapshot(t.db, false);
    const broken = await cli("reprocess", ["--all-broken", "--force"]);
    assert.equal(broken.stdout, "no tags to reprocess\n", "nothing is broken any more");
    const again = await cli("reprocess", ["--repository", "devtable/app", "--force"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /9 tag\(s\) selected, 0 mapped, 0 repaired, 9 unchanged, 0 refused, 0 failed/);
    assert.deepEqual(await snapshot(t.db, false), before);

    // The refusals (twins sharing one manifest, tag manifests moved to another payload) are logged with
    // their code, and change nothing.
    const refused = await cli("reprocess", ["--repository", "devtable/other", "--force"], true, "info");
    assert.equal(refused.code, 0, refused.stderr);
    const count = Number(/(\d+) refused/.exec(refused.stdout)?.[1]);
    const refusalLines = jsonLines(refused.stderr).filter((l) => l.event === "tag.repair_refused");
    assert.ok(count > 0);
    assert.equal(refusalLines.length, count);
    assert.deepEqual(invalidLogLines(refusalLines), []);
    for (const line of refusalLines) {
      assert.ok(
        [
          "shared_manifest_bytes",
          "would_change_digest_under_live_tag",
          "would_change_digest",
          "inconsistent_mapping",
        ].includes(line.reason as string),
        JSON.stringify(line),
      );
    }
    assert.deepEqual(await snapshot(t.db, false), before);
  });
});
