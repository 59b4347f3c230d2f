import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import type { BatchResult, TagResult } from "../../src/backfill/batch-result.js";
import { schema1Digest } from "../../src/manifest/schema1-digest.js";
import type { Database } from "../../src/db/tables.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { integrityProblems } from "./batch-fixtures.js";
import { runBatch, testKeyPem } from "./batch-harness.js";
import { buildReprocessData, damageMappings, fixInPlace, type ReprocessIds } from "./batch-reprocess-data.js";

const TABLES = [
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

/** Every row of every table a backfill touches, plus the sequences: equal snapshots mean nothing was written. */
async function snapshot(db: Kysely<Database>, withLedger = true): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of [...TABLES, ...(withLedger ? ["backfill.tag_outcome"] : [])]) {
    const order = table === "backfill.tag_outcome" ? "repository_tag_id" : "id";
    out[table] = (await sql`SELECT * FROM ${sql.table(table)} ORDER BY ${sql.ref(order)}`.execute(db)).rows;
  }
  out.sequences = (
    await sql`SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`.execute(
      db,
    )
  ).rows;
  return out;
}

/** The rows one repositorytag's mapping consists of, as they are. */
async function mappingRows(db: Kysely<Database>, rt: number): Promise<unknown> {
  const rows = await sql`
    SELECT to_jsonb(t) AS tag, to_jsonb(tm) AS tagmanifest, to_jsonb(l) AS link, to_jsonb(m) AS manifest,
           (SELECT jsonb_agg(mb ORDER BY mb.id) FROM manifestblob mb WHERE mb.manifest_id = m.id) AS blobs,
           (SELECT to_jsonb(li) FROM manifestlegacyimage li WHERE li.manifest_id = m.id) AS legacy
      FROM tagtorepositorytag map JOIN tag t ON t.id = map.tag_id
      JOIN tagmanifest tm ON tm.tag_id = map.repository_tag_id
      JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id JOIN manifest m ON m.id = l.manifest_id
     WHERE map.repository_tag_id = ${rt}`.execute(db);
  return rows.rows[0];
}

async function allTagIds(db: Kysely<Database>): Promise<number[]> {
  return (await db.selectFrom("repositorytag").select("id").orderBy("id").execute()).map((r) => r.id);
}

function byId(result: BatchResult): Map<number, TagResult> {
  return new Map(result.results.map((r) => [r.repositoryTagId, r]));
}

describe("processBatch with force (reprocess)", () => {
  let t: TestDatabase;
  let signer: BatchSigner;
  let ids: ReprocessIds;
  let all: number[];
  let placeholders: Map<number, number>;
  let dry: BatchResult;
  let real: BatchResult;
  const kept = new Map<number, unknown>();
  let twinManifest: unknown;
  const reprocess = (options: { dryRun?: boolean } = {}) =>
    runBatch(t.db, signer, { lo: 1, hi: 1e9, tagIds: all }, { force: true, ...options });

  before(async () => {
    t = await createTestDatabase("batch_reprocess");
    signer = createSignerPool(testKeyPem(), { mode: "threads", threads: 2 });
    ids = await buildReprocessData(t.db);
    await runBatch(t.db, signer, { lo: 1, hi: 1e9 });
    const found = await sql<{ tag_id: number; id: number }>`
      SELECT tm.tag_id, m.id FROM tagmanifest tm JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id
      JOIN manifest m ON m.id = l.manifest_id WHERE m.digest LIKE 'BROKEN-%'`.execute(t.db);
    placeholders = new Map(found.rows.map((r) => [r.tag_id, r.id]));
    // Another tag row uses one placeholder: it must survive the repair of its own tag.
    const kind = await t.db.selectFrom("tagkind").select("id").executeTakeFirstOrThrow();
    await t.db
      .insertInto("tag")
      .values({
        name: "pinned",
        repository_id: ids.app!,
        manifest_id: placeholders.get(ids.pinnedPlaceholder!)!,
        lifetime_start_ms: 1,
        tag_kind_id: kind.id,
      })
      .execute();
    await fixInPlace(t.db, ids);
    await damageMappings(t.db, ids);
    // A tag that appeared after the first pass: reprocess maps it.
    const image = await t.db
      .selectFrom("image")
      .select("id")
      .where("repository_id", "=", ids.app!)
      .executeTakeFirstOrThrow();
    const late = await t.db
      .insertInto("repositorytag")
      .values({
        name: "late",
        repository_id: ids.app!,
        image_id: image.id,
        lifetime_start_ts: 1500000000,
        hidden: false,
        reversion: false,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.late = late.id;
    all = await allTagIds(t.db);
    twinManifest = await mappingRows(t.db, ids.twinA!);
    for (const id of [ids.twinA!, ids.twinB!, ids.liveMoved!, ids.deadMoved!])
      kept.set(id, await mappingRows(t.db, id));

    const before = await snapshot(t.db);
    dry = await reprocess({ dryRun: true });
    assert.deepEqual(await snapshot(t.db), before, "a dry run writes nothing");
    real = await reprocess();
  });
  after(async () => {
    await signer.close();
    await t.drop();
  });

  test("the first pass mapped the defects broken, as a run does", () => {
    assert.deepEqual(
      [ids.missingParent, ids.uploading, ids.badJson, ids.corrupt, ids.pinnedPlaceholder].map((id) =>
        placeholders.has(id!),
      ),
      [true, true, true, true, true],
    );
  });

  test("each mapped tag gets repaired, unchanged or refused; the dry run planned exactly what was done", () => {
    const expected: Record<string, string | undefined> = {
      clean: "repaired",
      legacyGone: "repaired",
      missingParent: "repaired",
      uploading: "repaired",
      badJson: "repaired",
      stored: "repaired",
      corrupt: "repaired",
      missingBlob: "repaired",
      pinnedPlaceholder: "repaired",
      twinA: "unchanged",
      twinB: "refused",
      liveMoved: "refused",
      deadMoved: "refused",
      late: undefined,
    };
    for (const result of [dry, real]) {
      const got = byId(result);
      for (const [name, want] of Object.entries(expected)) {
        assert.equal(got.get(ids[name]!)?.reprocess, want, `${name}`);
      }
      assert.equal(got.get(ids.late!)?.outcome, "backfilled");
    }
    const lines = (r: BatchResult) =>
      r.results.flatMap((x) => (x.changes ?? []).map((c) => JSON.stringify(c)));
    assert.deepEqual(lines(real), lines(dry));
    const refused = byId(real);
    assert.match(refused.get(ids.twinB!)?.reprocessDetail ?? "", /^shared_manifest_bytes: /);
    assert.match(refused.get(ids.liveMoved!)?.reprocessDetail ?? "", /^would_change_digest_under_live_tag: /);
    assert.match(refused.get(ids.deadMoved!)?.reprocessDetail ?? "", /^would_change_digest: /);
    const cleanChanges = refused.get(ids.clean!)?.changes?.map((c) => `${c.table}.${c.column}`);
    assert.deepEqual(cleanChanges, ["manifestblob.blob_id"]);
    const storedChanges = refused.get(ids.stored!)?.changes?.map((c) => `${c.table}.${c.column}`);
    // Unsigned bytes of the same payload under the signed media type: the tag manifest's signed bytes return.
    assert.deepEqual(storedChanges, ["manifest.manifest_bytes"]);
  });

  test("fixed tags are mapped correctly now, and no placeholder is left but the one in use", async () => {
    for (const name of [
      "missingParent",
      "uploading",
      "badJson",
      "corrupt",
      "missingBlob",
      "pinnedPlaceholder",
      "clean",
      "legacyGone",
      "stored",
    ]) {
      const rows = (
        await sql<{
          digest: string;
          tm_digest: string;
          same_bytes: boolean;
          broken: boolean;
          tag_manifest: number | null;
          manifest_id: number;
          blobs: number;
          legacy: number;
          bytes: string;
        }>`
        SELECT m.digest, tm.digest AS tm_digest, m.manifest_bytes = tm.json_data AS same_bytes, l.broken,
               t.manifest_id AS tag_manifest, m.id AS manifest_id, m.manifest_bytes AS bytes,
               (SELECT count(*)::int FROM manifestblob mb WHERE mb.manifest_id = m.id) AS blobs,
               (SELECT count(*)::int FROM manifestlegacyimage li WHERE li.manifest_id = m.id) AS legacy
          FROM tagtorepositorytag map JOIN tag t ON t.id = map.tag_id
          JOIN tagmanifest tm ON tm.tag_id = map.repository_tag_id
          JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id JOIN manifest m ON m.id = l.manifest_id
         WHERE map.repository_tag_id = ${ids[name]!}`.execute(t.db)
      ).rows[0]!;
      assert.ok(!rows.digest.startsWith("BROKEN-"), name);
      assert.equal(rows.broken, false, name);
      assert.equal(rows.same_bytes, true, name);
      assert.equal(
        rows.tm_digest === rows.digest || name === "stored" || name === "corrupt" || name === "missingBlob",
        true,
        name,
      );
      assert.equal(schema1Digest(rows.bytes), rows.digest, name);
      assert.equal(rows.tag_manifest, rows.manifest_id, name);
      assert.ok(rows.blobs >= 1, name);
      assert.equal(rows.legacy, 1, name);
    }
    const left = await sql<{ id: number }>`SELECT id FROM manifest WHERE digest LIKE 'BROKEN-%'`.execute(
      t.db,
    );
    assert.deepEqual(
      left.rows.map((r) => r.id),
      [placeholders.get(ids.pinnedPlaceholder!)],
    );
    const labels = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM tagmanifestlabelmap lm JOIN manifestlabel ml ON ml.id = lm.manifest_label_id
       WHERE lm.tag_manifest_id = ${ids.corruptTm} AND lm.manifest_id = ml.manifest_id
         AND ml.manifest_id = (SELECT manifest_id FROM tagmanifesttomanifest WHERE tag_manifest_id = ${ids.corruptTm})`.execute(
      t.db,
    );
    assert.equal(labels.rows[0]?.n, 1, "the label follows the tag manifest to its real manifest");
    const integrity = await integrityProblems(t.db);
    // The one tag row without a mapping is `pinned`, the test's own user of a placeholder, which is
    // therefore kept without a link.
    assert.deepEqual(integrity, {
      ...Object.fromEntries(Object.keys(integrity).map((k) => [k, 0])),
      tagWithoutMapping: 1,
      manifestUnused: 1,
    });
    const rewritten = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM manifestlegacyimage li JOIN image i ON i.id = li.image_id
       WHERE li.manifest_id = (SELECT l.manifest_id FROM tagmanifest tm JOIN tagmanifesttomanifest l
                                 ON l.tag_manifest_id = tm.id WHERE tm.tag_id = ${ids.missingParent})
         AND i.docker_image_id ~ '^[0-9a-f]{64}$' AND i.docker_image_id <> 'not-a-valid-leaf-id'`.execute(
      t.db,
    );
    assert.equal(rewritten.rows[0]?.n, 1, "the invalid leaf id is rewritten and its image row synthesised");
  });

  test("refused and unchanged tags keep every row; a shared manifest is never deleted or rewritten", async () => {
    for (const [id, rows] of kept) assert.deepEqual(await mappingRows(t.db, id), rows, `tag ${id}`);
    assert.deepEqual(await mappingRows(t.db, ids.twinA!), twinManifest);
  });

  test("outcomes record what reprocess did without losing the mapping's reason", async () => {
    const rows = await sql<{
      repository_tag_id: number;
      outcome: string;
      reason: string | null;
      reprocess: string | null;
    }>`
      SELECT repository_tag_id, outcome, reason, reprocess FROM backfill.tag_outcome`.execute(t.db);
    const of = new Map(rows.rows.map((r) => [r.repository_tag_id, r]));
    assert.deepEqual(of.get(ids.missingParent!), {
      repository_tag_id: ids.missingParent,
      outcome: "backfilled",
      reason: null,
      reprocess: "repaired",
    });
    assert.equal(of.get(ids.liveMoved!)?.outcome, "backfilled");
    assert.equal(of.get(ids.liveMoved!)?.reprocess, "refused");
    assert.equal(of.get(ids.late!)?.reprocess, null);
  });

  test("the same reprocess again changes nothing", async () => {
    const before = await snapshot(t.db, false);
    const again = await reprocess();
    assert.deepEqual(await snapshot(t.db, false), before);
    const kinds = new Set(again.results.map((r) => r.reprocess));
    assert.deepEqual([...kinds].sort(), ["refused", "unchanged"]);
    assert.equal(again.rowsWritten, 0);
  });
});
