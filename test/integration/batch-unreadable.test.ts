import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import type { TagResult } from "../../src/backfill/batch-result.js";
import { connect } from "../../src/db/connect.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import type { Database } from "../../src/db/tables.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { ADMIN_URL, databaseUrl, dropDatabase } from "../support/test-database.js";
import { LegacyFixtures } from "./batch-fixtures.js";
import { runBatch, testKeyPem } from "./batch-harness.js";

/**
 * A SQL_ASCII database holds any byte; PostgreSQL refuses to send one that is not UTF-8 to this (UTF8)
 * client. Such a byte in one tag's rows is that tag's defect: the batch around it loads, plans and
 * commits, the tag's outcome names the reason, and nothing is retried.
 */
let name: string;
let db: Kysely<Database>;
let signer: BatchSigner;
const ids: Record<string, number> = {};
let results: Map<number, TagResult>;

describe("a value PostgreSQL cannot hand over stays with its tag (SQL_ASCII database)", () => {
  before(async () => {
    name = `t_unreadable_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(
        `CREATE DATABASE "${name}" ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
      );
    } finally {
      await admin.end();
    }
    db = connect(databaseUrl(name), { max: 3 });
    const { error } = await migrateToLatest(db);
    if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
    signer = createSignerPool(testKeyPem());

    const f = new LegacyFixtures(db);
    const repo = await f.repository("devtable", "ascii");
    const chainOf = async (seed: string) => (await f.chain(repo, seed, [{}, {}]))[1]?.id ?? 0;
    ids.first = await f.tag(repo, "first", await chainOf("first"));
    ids.badName = await f.tag(repo, "bad-name", await chainOf("bad-name"));
    ids.badV1 = await f.tag(repo, "bad-v1", await chainOf("bad-v1"));
    ids.hiddenBadName = await f.tag(repo, "hidden", await chainOf("hidden"), { hidden: true });
    ids.last = await f.tag(repo, "last", await chainOf("last"));
    // E'\xff' makes the byte on the server; the client never sends it.
    await sql`UPDATE repositorytag SET name = name || E'\\xff'
               WHERE id IN (${ids.badName}, ${ids.hiddenBadName})`.execute(db);
    await sql`UPDATE image SET v1_json_metadata = replace(v1_json_metadata, '"Size"', E'"Si\\xffze"')
               WHERE id = (SELECT image_id FROM repositorytag WHERE id = ${ids.badV1})`.execute(db);

    const result = await runBatch(db, signer, { lo: ids.first, hi: ids.last });
    results = new Map(result.results.map((r) => [r.repositoryTagId, r]));
  });
  after(async () => {
    await signer.close();
    await db.destroy();
    await dropDatabase(name);
  });

  test("the tags around them are mapped", () => {
    for (const key of ["first", "last"]) {
      const result = results.get(ids[key] ?? 0);
      assert.deepEqual([result?.outcome, result?.reason], ["backfilled", null], key);
    }
  });

  test("a tag whose name cannot be read fails with unreadable_row; hidden, it is skipped", () => {
    const bad = results.get(ids.badName ?? 0);
    assert.deepEqual([bad?.outcome, bad?.reason], ["failed", "unreadable_row"]);
    assert.match(bad?.detail ?? "", /invalid byte sequence for encoding "UTF8": 0xff/);
    const hidden = results.get(ids.hiddenBadName ?? 0);
    assert.deepEqual([hidden?.outcome, hidden?.reason], ["skipped", "hidden"]);
  });

  test("a tag whose v1 metadata cannot be read gets Quay's placeholder with unreadable_row", async () => {
    const bad = results.get(ids.badV1 ?? 0);
    assert.deepEqual([bad?.outcome, bad?.reason], ["backfilled_broken", "unreadable_row"]);
    const mapping = await sql<{ digest: string; broken: boolean }>`
      SELECT m.digest, l.broken FROM tagmanifest tm
        JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id
        JOIN manifest m ON m.id = l.manifest_id
       WHERE tm.tag_id = ${ids.badV1}`.execute(db);
    assert.deepEqual(mapping.rows, [{ digest: `BROKEN-${ids.badV1}`, broken: true }]);
  });

  test("the outcomes are recorded and the batch is done", async () => {
    const rows = await sql<{ repository_tag_id: number; outcome: string; reason: string | null }>`
      SELECT repository_tag_id, outcome, reason FROM backfill.tag_outcome ORDER BY repository_tag_id`.execute(
      db,
    );
    assert.deepEqual(
      rows.rows.map((r) => [r.repository_tag_id, r.outcome, r.reason]),
      [
        [ids.first, "backfilled", null],
        [ids.badName, "failed", "unreadable_row"],
        [ids.badV1, "backfilled_broken", "unreadable_row"],
        [ids.hiddenBadName, "skipped", "hidden"],
        [ids.last, "backfilled", null],
      ],
    );
    const batches = await sql<{ status: string }>`SELECT status FROM backfill.batch`.execute(db);
    assert.deepEqual(batches.rows, [{ status: "done" }]);
  });
});
