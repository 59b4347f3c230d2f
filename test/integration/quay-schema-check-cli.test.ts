import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { jsonLines, runCli, type CliResult } from "./run-support.js";

/** Redis points at a closed port: the check comes before any queue. */
const NO_REDIS = { REDIS_URL: "redis://127.0.0.1:1" };

function schemaLine(out: CliResult): Record<string, unknown> | undefined {
  return jsonLines(out.stderr).find((line) => line.event === "schema.checked");
}

/** The `backfill: …` line a refusal prints (log lines are JSON). */
function refusal(out: CliResult): string {
  return out.stderr.split("\n").find((l) => l.startsWith("backfill: ")) ?? "";
}

describe("the Quay schema check at the start of the commands that touch Quay's tables", () => {
  const dbs: TestDatabase[] = [];
  let extra: TestDatabase;
  let retyped: TestDatabase;
  let dropped: TestDatabase;
  let unlinked: TestDatabase;

  before(async () => {
    [extra, retyped, dropped, unlinked] = await Promise.all([
      createTestDatabase("qs_extra"),
      createTestDatabase("qs_retyped"),
      createTestDatabase("qs_dropped"),
      createTestDatabase("qs_unlinked"),
    ]);
    dbs.push(extra, retyped, dropped, unlinked);
    // What a newer Quay adds beside what the backfill uses: a column, a table, a nullable column it writes around.
    await sql`ALTER TABLE image ADD COLUMN quay_newer_field text NOT NULL DEFAULT ''`.execute(extra.db);
    await sql`ALTER TABLE tag ADD COLUMN quay_note text`.execute(extra.db);
    await sql`CREATE TABLE quaynewthing (id serial PRIMARY KEY, repository_id integer REFERENCES repository (id))`.execute(
      extra.db,
    );
    await sql`ALTER TABLE image ALTER COLUMN ancestors TYPE text`.execute(retyped.db);
    await sql`ALTER TABLE repositorytag DROP COLUMN reversion`.execute(dropped.db);
    // Quay's alembic revision a0fc06d604a4 drops the legacy tables' foreign keys; nothing else.
    const fks = await sql<{ table: string; name: string }>`
      SELECT conrelid::regclass::text AS "table", conname AS name FROM pg_constraint
       WHERE contype = 'f' AND (conrelid::regclass::text IN ('repositorytag', 'tagmanifest', 'tagmanifesttomanifest',
             'tagmanifestlabel', 'tagmanifestlabelmap', 'tagtorepositorytag', 'manifestlegacyimage')
             OR (conrelid::regclass::text = 'image' AND conname IN
                 (SELECT conname FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
                   WHERE k.conrelid = 'image'::regclass AND k.contype = 'f' AND a.attname IN ('repository_id', 'storage_id'))))`.execute(
      unlinked.db,
    );
    assert.ok(fks.rows.length >= 20, `only ${fks.rows.length} foreign keys found`);
    for (const fk of fks.rows) {
      await sql`ALTER TABLE ${sql.table(fk.table)} DROP CONSTRAINT ${sql.id(fk.name)}`.execute(unlinked.db);
    }
  });

  after(async () => {
    for (const db of dbs) await db.drop();
  });

  test("a changed column type and a dropped used column: refused, exit 2, naming the column and what was expected", async () => {
    const [retypedVerify, retypedRun, droppedVerify] = await Promise.all([
      runCli(["verify"], { ...NO_REDIS, DATABASE_URL: retyped.url }),
      runCli(["run", "--dry-run", "--no-progress"], { ...NO_REDIS, DATABASE_URL: retyped.url }),
      runCli(["verify"], { ...NO_REDIS, DATABASE_URL: dropped.url }),
    ]);
    for (const out of [retypedVerify, retypedRun]) {
      assert.equal(out.status, 2, out.stderr);
      assert.match(
        refusal(out),
        /^backfill: Quay's schema is not one this backfill supports \(closest: quay-3-legacy-linked\): column image\.ancestors: expected character varying\(60535\) null, found text null; see docs\/operating\.md, or set BACKFILL_SCHEMA_CHECK=warn/,
      );
      assert.equal(schemaLine(out)?.outcome, "unknown");
    }
    assert.equal(droppedVerify.status, 2, droppedVerify.stderr);
    assert.match(
      refusal(droppedVerify),
      /: column repositorytag\.reversion: missing \(expected boolean not null\);/,
    );
    assert.deepEqual(schemaLine(droppedVerify)?.differences, [
      "column repositorytag.reversion: missing (expected boolean not null)",
    ]);
  });

  test("extra columns and tables the backfill does not use pass; so does the schema without the legacy foreign keys", async () => {
    const [extraVerify, unlinkedVerify] = await Promise.all([
      runCli(["verify"], { ...NO_REDIS, DATABASE_URL: extra.url }),
      runCli(["verify"], { ...NO_REDIS, DATABASE_URL: unlinked.url }),
    ]);
    assert.equal(extraVerify.status, 0, extraVerify.stderr);
    assert.equal(schemaLine(extraVerify)?.schema, "quay-3-legacy-linked");
    assert.equal(schemaLine(extraVerify)?.outcome, "supported");
    assert.equal(unlinkedVerify.status, 0, unlinkedVerify.stderr);
    assert.equal(schemaLine(unlinkedVerify)?.schema, "quay-3-legacy-unlinked");
  });

  test("BACKFILL_SCHEMA_CHECK=warn goes on with every difference logged; off skips the check, logged too", async () => {
    const [warned, off] = await Promise.all([
      runCli(["verify"], { ...NO_REDIS, DATABASE_URL: retyped.url, BACKFILL_SCHEMA_CHECK: "warn" }),
      runCli(["verify"], { ...NO_REDIS, DATABASE_URL: retyped.url, BACKFILL_SCHEMA_CHECK: "off" }),
    ]);
    assert.equal(warned.status, 0, warned.stderr);
    assert.equal(schemaLine(warned)?.level, "warn");
    assert.deepEqual(schemaLine(warned)?.differences, [
      "column image.ancestors: expected character varying(60535) null, found text null",
    ]);
    assert.equal(off.status, 0, off.stderr);
    assert.deepEqual(
      { outcome: schemaLine(off)?.outcome, level: schemaLine(off)?.level },
      { outcome: "skipped", level: "warn" },
    );
  });

  test("a MySQL DATABASE_URL is refused in one line: only PostgreSQL is supported", async () => {
    const out = await runCli(["run", "--dry-run", "--no-progress"], {
      ...NO_REDIS,
      DATABASE_URL: "mysql://quay:secretpw@db.example:3306/quay",
    });
    assert.equal(out.status, 2, out.stderr);
    assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
    assert.match(out.stderr, /^backfill: DATABASE_URL: a MySQL\/MariaDB URL: only PostgreSQL is supported/);
    assert.doesNotMatch(out.stderr, /secretpw/);
  });
});
