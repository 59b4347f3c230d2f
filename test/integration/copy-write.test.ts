import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { connect } from "../../src/db/connect.js";
import { insertManifestBlobs } from "../../src/db/write-manifest-blobs.js";
import { insertManifests } from "../../src/db/write-manifests.js";
import { insertTagManifests } from "../../src/db/write-tag-manifests.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { LegacyFixtures } from "./batch-fixtures.js";

/** Texts COPY's text format would have to escape, non-ASCII of every UTF-8 length, and one over a chunk. */
const AWKWARD = [
  'back\\slash \\N \\\\ "quoted" \\u00e9',
  "tab\there\tand\ttrailing\t",
  "line\nfeed\n\ncarriage\rreturn\r\n",
  "é ß Ω 中文 😀 \u2028 \uFEFF",
  "",
  `{"big": "${"\\\t\n\r é😀 ".repeat(40_000)}"}`,
];

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("batch writes streamed with COPY", () => {
  let t: TestDatabase;
  let repositoryId: number;
  let mediaTypeId: number;
  let tagIds: number[];
  let blobIds: number[];

  before(async () => {
    t = await createTestDatabase("copy_write");
    const f = new LegacyFixtures(t.db);
    repositoryId = await f.repository("acme", "app");
    const mediaType = await t.db.selectFrom("mediatype").select("id").executeTakeFirstOrThrow();
    mediaTypeId = mediaType.id;
    const storage = await f.storage("sha256:aa");
    const image = await f.image(repositoryId, "a".repeat(64), null, storage, null);
    tagIds = [];
    for (const name of ["t0", "t1", "t2", "t3", "t4", "t5"])
      tagIds.push(await f.tag(repositoryId, name, image.id));
    blobIds = [storage, await f.storage("sha256:bb"), await f.storage("sha256:cc")];
  });
  after(async () => {
    await t.drop();
  });

  const manifestRows = (texts: readonly string[]) =>
    texts.map((bytes, i) => ({ repositoryId, digest: `sha256:${i}-${sha256(bytes)}`, mediaTypeId, bytes }));

  test("manifest texts round-trip byte-exact and the returned ids name their rows", async () => {
    const rows = manifestRows(AWKWARD);
    const [inserted, scratch] = await t.db.transaction().execute(async (trx) => {
      const out = await insertManifests(trx, rows);
      const table = await sql<{ t: string | null }>`
        SELECT to_regclass('pg_temp.backfill_copy_manifest')::text AS t`.execute(trx);
      return [out, table.rows[0]?.t ?? null] as const;
    });
    assert.equal(inserted.length, rows.length);
    assert.equal(scratch, null, "new rows go straight into manifest, without the scratch table");
    const stored = await sql<{ id: number; digest: string; bytes_hex: string; text: string }>`
      SELECT id, digest, encode(sha256(convert_to(manifest_bytes, 'UTF8')), 'hex') AS bytes_hex,
             manifest_bytes AS text
        FROM manifest WHERE repository_id = ${repositoryId}`.execute(t.db);
    const byDigest = new Map(stored.rows.map((r) => [r.digest, r]));
    for (const [i, row] of rows.entries()) {
      const found = byDigest.get(row.digest);
      assert.ok(found, `row ${i} stored`);
      assert.equal(
        found.bytes_hex,
        sha256(AWKWARD[i] ?? ""),
        `row ${i}: the server holds the same UTF-8 bytes`,
      );
      assert.equal(found.text, AWKWARD[i]);
      assert.deepEqual(
        inserted.find((m) => m.digest === row.digest),
        { id: found.id, repositoryId, digest: row.digest },
      );
    }
  });

  test("a rerun inserts and returns only what is new, also twice in one transaction", async () => {
    const old = manifestRows(AWKWARD);
    const fresh = manifestRows(["fresh one", "fresh\ttwo"]).map((r) => ({ ...r, digest: `${r.digest}-new` }));
    const [first, second] = await t.db
      .transaction()
      .execute(async (trx) => [
        await insertManifests(trx, [...old, fresh[0]!]),
        await insertManifests(trx, [fresh[0]!, fresh[1]!, ...old]),
      ]);
    assert.deepEqual(
      first.map((m) => m.digest),
      [fresh[0]!.digest],
    );
    assert.deepEqual(
      second.map((m) => m.digest),
      [fresh[1]!.digest],
    );
  });

  test("tagmanifest JSON round-trips and manifestblob counts what it inserted", async () => {
    const rows = tagIds.map((tagId, i) => ({ tagId, digest: `sha256:tm${i}`, json: AWKWARD[i] ?? "" }));
    const inserted = await t.db.transaction().execute((trx) => insertTagManifests(trx, rows));
    assert.equal(inserted.length, rows.length);
    const stored = await t.db.selectFrom("tagmanifest").select(["id", "tag_id", "json_data"]).execute();
    for (const row of rows) {
      const found = stored.find((s) => s.tag_id === row.tagId);
      assert.equal(found?.json_data, row.json);
      assert.deepEqual(
        inserted.find((m) => m.tagId === row.tagId),
        { id: found.id, tagId: row.tagId },
      );
    }
    assert.deepEqual(await t.db.transaction().execute((trx) => insertTagManifests(trx, rows)), []);

    const manifest = await t.db.selectFrom("manifest").select("id").executeTakeFirstOrThrow();
    const blobs = blobIds.map((blobId) => ({ repositoryId, manifestId: manifest.id, blobId }));
    assert.equal(await t.db.transaction().execute((trx) => insertManifestBlobs(trx, blobs)), 3);
    assert.equal(
      await t.db.transaction().execute((trx) => insertManifestBlobs(trx, [...blobs, ...blobs])),
      0,
    );
    const rowsNow = await t.db.selectFrom("manifestblob").select("blob_id").execute();
    assert.deepEqual(rowsNow.map((r) => r.blob_id).sort(), [...blobIds].sort());
  });

  test("a failure mid-COPY or after it leaves nothing, and the connection serves the next batch", async () => {
    const db = connect(t.url, { max: 1 });
    try {
      const before = await db.selectFrom("manifest").select("id").execute();
      const rows = manifestRows(["crash one", "crash two"]).map((r) => ({ ...r, digest: `${r.digest}-x` }));
      const bad = [{ repositoryId, manifestId: 1, blobId: 2 ** 40 }];
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await insertManifests(trx, rows);
          await insertManifestBlobs(trx, bad);
        }),
        RangeError,
      );
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await insertManifests(trx, rows);
          throw new Error("crash after the COPY");
        }),
        /crash after the COPY/,
      );
      assert.deepEqual(await db.selectFrom("manifest").select("id").execute(), before);
      const again = await db.transaction().execute((trx) => insertManifests(trx, rows));
      assert.equal(again.length, 2);
    } finally {
      await db.destroy();
    }
  });

  test("a lock timeout on the target table fails the statement with 55P03, as before", async () => {
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    const db = connect(t.url, { max: 1, guards: { lockTimeoutMs: 200 } });
    try {
      await holder.query("BEGIN; LOCK TABLE manifest IN ACCESS EXCLUSIVE MODE");
      const rows = manifestRows(["locked out"]).map((r) => ({ ...r, digest: `${r.digest}-lock` }));
      await assert.rejects(
        db.transaction().execute((trx) => insertManifests(trx, rows)),
        (err: unknown) => (err as { code?: string }).code === "55P03",
      );
      await holder.query("ROLLBACK");
      assert.equal((await db.transaction().execute((trx) => insertManifests(trx, rows))).length, 1);
    } finally {
      await db.destroy();
      await holder.end();
    }
  });
});
