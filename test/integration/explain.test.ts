import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { TagResult } from "../../src/backfill/batch-result.js";
import { createExplainSource } from "../../src/db/explain-source.js";
import { buildExplainReport, type ExplainOptions } from "../../src/explain/build-explain-report.js";
import type { TagRef } from "../../src/explain/tag-lookup.js";
import { writeSeedRegistry } from "../../src/db/write-seed-registry.js";
import { explainJson, explainText } from "../../src/explain/format-explain.js";
import type { ExplainReport } from "../../src/explain/explain-tag.js";
import { loadSigner } from "../../src/manifest/signer.js";
import { planSeedTags, seedOptions } from "../../src/seed/index.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { runBatch, testKeyPem } from "./batch-harness.js";

// Oversize metadata is rare at the default rate; raised so a stripped manifest is among 3,000 tags.
const OPTIONS = seedOptions({ tags: 3000, seed: "1", rates: { "oversize-metadata": 0.002 } });
const NOW_TS = 2_000_000_000;

let testDb: TestDatabase;
let signer: BatchSigner;
/** The first visible seeded tag of each kind, and what the core's dry run says of it. */
const sample = new Map<string, number>();
const dryRun = new Map<number, TagResult>();

const options = (): ExplainOptions => ({
  signer: loadSigner(testKeyPem()),
  libraryNamespace: "library",
  manifestMaxBytes: 3_145_728,
  showManifest: false,
  nowTs: NOW_TS,
});

const explain = (ref: TagRef, over: Partial<ExplainOptions> = {}) =>
  buildExplainReport(createExplainSource(testDb.db), ref, { ...options(), ...over });

/** Row counts of every table a run writes, the ledger included. */
async function tableCounts(): Promise<Record<string, number>> {
  const tables = [
    "manifest",
    "manifestblob",
    "manifestlegacyimage",
    "manifestlabel",
    "tag",
    "tagmanifest",
    "tagmanifesttomanifest",
    "tagtorepositorytag",
    "tagmanifestlabelmap",
    "image",
    "backfill.run",
    "backfill.batch",
    "backfill.tag_outcome",
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(
      testDb.db,
    );
    counts[table] = result.rows[0]?.n ?? -1;
  }
  return counts;
}

function id(kind: string): number {
  const found = sample.get(kind);
  assert.ok(found !== undefined, `the seed has a visible tag of kind ${kind}`);
  return found;
}

function defectCodes(report: ExplainReport): string[] {
  return report.defects.map((d) => d.code);
}

/** Seeded defect class → the defect explain must name and the outcome reason of the core. */
const CASES: [kind: string, defect: string, reason: string | null, rewritten: boolean][] = [
  ["missing-parent", "missing_parent", "missing_parent", false],
  ["storage-uploading", "uploading_storage", "uploading_storage", false],
  ["storage-no-checksum", "missing_checksum", "missing_checksum", false],
  ["v1-not-json", "v1_not_json", "invalid_metadata", false],
  ["v1-not-object", "v1_not_object", "invalid_metadata", false],
  ["v1-no-id", "v1_missing_id", "invalid_metadata", false],
  ["invalid-id", "invalid_v1_id", null, true],
  ["id-collision", "v1_id_collision", null, true],
  ["chain-mismatch", "chain_link_mismatch", null, true],
  ["tarsum", "tarsum_checksum", "tarsum_checksum", false],
  ["oversize-leaf", "manifest_too_large", "manifest_too_large", false],
  ["tm:corrupt", "unparseable_stored_manifest", "unparseable_stored_manifest", false],
  ["tm:unsigned", "stored_not_pullable", "stored_not_pullable", false],
];

describe("backfill explain", () => {
  before(async () => {
    testDb = await createTestDatabase("explain");
    await writeSeedRegistry(testDb.db, OPTIONS, { reset: false, force: false });
    for (const tag of planSeedTags(OPTIONS)) {
      if (tag.hidden) continue;
      const kind = tag.tagManifest !== null ? `tm:${tag.tagManifest}` : (tag.defect ?? "clean");
      if (!sample.has(kind)) sample.set(kind, tag.repositoryTagId);
    }
    signer = createSignerPool(testKeyPem());
    const ids = [...sample.values()];
    const result = await runBatch(
      testDb.db,
      signer,
      { lo: Math.min(...ids), hi: Math.max(...ids), tagIds: ids },
      { dryRun: true },
    );
    for (const r of result.results) dryRun.set(r.repositoryTagId, r);
  });
  after(async () => {
    await signer.close();
    await testDb.drop();
  });

  for (const [kind, defect, reason, rewritten] of CASES) {
    test(`${kind}: names ${defect}, outcome as the batch core plans it`, async () => {
      const report = await explain({ id: id(kind) });
      assert.ok(defectCodes(report).includes(defect), `${defect} in ${defectCodes(report).join(", ")}`);
      assert.equal(report.plan.reason, reason);
      const core = dryRun.get(id(kind));
      assert.ok(core);
      assert.equal(report.plan.outcome, core.outcome);
      assert.equal(report.plan.reason, core.reason);
      assert.equal(report.plan.manifest?.digest, core.manifestDigest);
      assert.equal(report.plan.rewrittenIds.length > 0, rewritten);
      assert.equal(report.plan.rewrittenIds.length, core.rewrittenIds);
      const text = explainText(report);
      assert.ok(text.includes(defect) && (reason === null || text.includes(`reason ${reason}`)), text);
    });
  }

  test("a clean tag: its chain as loaded, no defect, a signed pullable manifest", async () => {
    const report = await explain({ id: id("clean") }, { showManifest: true });
    assert.deepEqual(report.defects, []);
    assert.equal(report.plan.outcome, "backfilled");
    assert.equal(report.plan.manifest?.signed, true);
    assert.equal(report.plan.manifest?.stripped, false);
    assert.ok(
      report.chain.length >= 1 && report.chain.every((l) => l.v1Json === "object" && l.uploading === false),
    );
    assert.equal(report.chain[0]?.imageId, report.tag.imageId);
    assert.ok(report.plan.manifest?.bytes?.includes('"schemaVersion": 1'));
    assert.equal(report.mapped, null);
  });

  test("metadata over the size limit: the planned manifest is stripped", async () => {
    const report = await explain({ id: id("oversize-metadata") });
    assert.equal(report.plan.outcome, "backfilled");
    assert.equal(report.plan.manifest?.stripped, true);
    assert.ok((report.plan.manifest?.sizeBytes ?? Infinity) <= 3_145_728);
    assert.equal(report.plan.manifest?.digest, dryRun.get(id("oversize-metadata"))?.manifestDigest);
    assert.match(explainText(report), /stripped true/);
  });

  test("explain writes nothing", async () => {
    const before = await tableCounts();
    for (const kind of sample.keys()) await explain({ id: id(kind) });
    assert.deepEqual(await tableCounts(), before);
  });

  test("a mapped tag shows the rows written and the recorded outcome", async () => {
    const tagId = id("tm:unsigned");
    await runBatch(testDb.db, signer, { lo: tagId, hi: tagId, tagIds: [tagId] });
    const report = await explain({ id: tagId });
    assert.equal(report.plan.outcome, "skipped");
    assert.equal(report.plan.reason, "already_mapped");
    assert.ok(report.mapped);
    const rows = await sql<{ tag_id: number; manifest_id: number; digest: string }>`
      SELECT ttr.tag_id, m.id AS manifest_id, m.digest FROM tagtorepositorytag ttr
        JOIN tagmanifest tm ON tm.tag_id = ttr.repository_tag_id
        JOIN tagmanifesttomanifest tmm ON tmm.tag_manifest_id = tm.id
        JOIN manifest m ON m.id = tmm.manifest_id
       WHERE ttr.repository_tag_id = ${tagId}`.execute(testDb.db);
    const row = rows.rows[0];
    assert.ok(row);
    assert.equal(report.mapped.tagId, row.tag_id);
    assert.equal(report.mapped.manifestId, row.manifest_id);
    assert.equal(report.mapped.manifest?.digest, row.digest);
    assert.deepEqual(
      { outcome: report.mapped.outcome?.outcome, reason: report.mapped.outcome?.reason },
      { outcome: "backfilled", reason: "stored_not_pullable" },
    );
    assert.ok(defectCodes(report).includes("stored_not_pullable"));
    const text = explainText(report);
    assert.ok(
      text.includes(`manifest ${row.manifest_id}`) && text.includes("recorded outcome: backfilled"),
      text,
    );
  });

  test("a name with several lifetimes picks the live row, else the most recent, and says so", async () => {
    const names = await sql<{ ns: string; repo: string; name: string; live: number | null; latest: number }>`
      SELECT u.username AS ns, r.name AS repo, rt.name,
             max(rt.id) FILTER (WHERE rt.lifetime_end_ts IS NULL OR rt.lifetime_end_ts > ${NOW_TS}) AS live,
             (array_agg(rt.id ORDER BY rt.lifetime_start_ts DESC, rt.id DESC))[1] AS latest
        FROM repositorytag rt JOIN repository r ON r.id = rt.repository_id JOIN "user" u ON u.id = r.namespace_user_id
       GROUP BY 1, 2, 3 HAVING count(*) > 1
       ORDER BY (max(rt.id) FILTER (WHERE rt.lifetime_end_ts IS NULL OR rt.lifetime_end_ts > ${NOW_TS})) IS NULL, 1, 2, 3`.execute(
      testDb.db,
    );
    const withLive = names.rows.find((r) => r.live !== null);
    const allDead = names.rows.find((r) => r.live === null);
    assert.ok(withLive && allDead, "the seed has both kinds of names");
    const live = await explain({ namespace: withLive.ns, repository: withLive.repo, tag: withLive.name });
    assert.equal(live.tag.repositoryTagId, withLive.live);
    assert.match(live.tag.picked ?? "", /picked the live row/);
    const dead = await explain({ namespace: allDead.ns, repository: allDead.repo, tag: allDead.name });
    assert.equal(dead.tag.repositoryTagId, allDead.latest);
    assert.equal(dead.tag.alive, false);
    assert.match(dead.tag.picked ?? "", /no live row: picked the most recent/);
  });

  test("CLI: --json for a tag id, exit 1 for an unknown tag, exit 2 for a bad reference", async () => {
    const env = { ...process.env, DATABASE_URL: testDb.url, BACKFILL_SIGNING_KEY_FILE: "" };
    delete (env as Record<string, string | undefined>).BACKFILL_SIGNING_KEY_FILE;
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--import", "tsx", "src/cli/main.ts", "explain", ...args],
          { cwd: REPO_ROOT, env },
          (err, stdout, stderr) => {
            const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
            resolve({ code, stdout, stderr });
          },
        );
      });
    const ok = await cli(["--tag-id", String(id("missing-parent")), "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    const parsed = JSON.parse(ok.stdout) as ExplainReport;
    assert.equal(parsed.plan.reason, "missing_parent");
    assert.ok(
      parsed.notes.some((n) => n.includes("throwaway")),
      "without a key it says the signature is a throwaway's",
    );
    // A tag that does not exist is a failed lookup, not a usage error.
    const unknown = await cli(["nobody/nothing:latest"]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, "");
    assert.match(unknown.stderr, /no tag nobody\/nothing:latest/);
    const missingId = await cli(["--tag-id", "999999"]);
    assert.equal(missingId.code, 1);
    assert.match(missingId.stderr, /no repositorytag with id 999999/);
    const bad = await cli(["just-a-name"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected ns\/repo:tag/);
    assert.ok(explainJson(parsed).length > 0);
  });

  test("after a run every tag lists the defects it had before: the run's own placeholder is none of them", async () => {
    const ids = [...sample.values()];
    const before = new Map<number, string[]>();
    for (const tagId of ids) before.set(tagId, defectCodes(await explain({ id: tagId })).sort());
    const run = await runBatch(testDb.db, signer, {
      lo: Math.min(...ids),
      hi: Math.max(...ids),
      tagIds: ids,
    });
    assert.equal(run.counts.failed, 0);
    for (const [kind, tagId] of sample) {
      const report = await explain({ id: tagId });
      assert.ok(report.mapped, `${kind} is mapped`);
      assert.deepEqual(defectCodes(report).sort(), before.get(tagId), kind);
    }
    // A chain defect's placeholder: the tag manifest shown is the run's, not stored data.
    const report = await explain({ id: id("missing-parent") });
    assert.equal(report.storedManifest?.digest, `BROKEN-${id("missing-parent")}`);
    assert.equal(report.storedManifest?.placeholder, true);
    assert.ok(!defectCodes(report).includes("unparseable_stored_manifest"), defectCodes(report).join());
    assert.match(explainText(report), /BROKEN-\d+ \(the placeholder a run wrote\)/);
    // A stored manifest that is unreadable stays a defect after the run (it is the tag's data).
    const corrupt = await explain({ id: id("tm:corrupt") });
    assert.equal(corrupt.storedManifest?.placeholder, false);
    assert.ok(defectCodes(corrupt).includes("unparseable_stored_manifest"));
  });
});
