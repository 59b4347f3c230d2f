import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import { sql, type Kysely } from "kysely";
import { MIGRATIONS } from "../../migrations/index.js";
import { MEDIA_TYPES } from "../../migrations/0001-quay-tables.js";
import { connect } from "../../src/db/connect.js";
import { migrateToLatest, migrationStatus } from "../../src/db/migrate.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { dumpMigratedSchema } from "../support/schema-dump.js";
import { createEmptyDatabase, databaseUrl, dropDatabase } from "../support/test-database.js";

const run = promisify(execFile);
const created: string[] = [];

async function emptyDb(label: string): Promise<{ name: string; db: Kysely<unknown> }> {
  const name = await createEmptyDatabase(label);
  created.push(name);
  return { name, db: connect(databaseUrl(name), { max: 2 }) as unknown as Kysely<unknown> };
}

async function snapshot(db: Kysely<unknown>, table: string): Promise<unknown> {
  const columns = await sql`
    SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(db);
  const indexes = await sql`SELECT indexname, indexdef FROM pg_indexes
    WHERE schemaname = 'public' AND tablename = ${table} ORDER BY indexname`.execute(db);
  const rows = await sql`SELECT * FROM ${sql.table(table)} ORDER BY id`.execute(db);
  return { columns: columns.rows, indexes: indexes.rows, rows: rows.rows };
}

after(async () => {
  for (const name of created) await dropDatabase(name);
});

describe("migrate", () => {
  test("the static index lists every migration file, in order", () => {
    const files = readdirSync(path.join(REPO_ROOT, "migrations"))
      .filter((f) => /^\d{4}-.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    assert.deepEqual(Object.keys(MIGRATIONS), files);
  });

  test("an empty database gets every Quay table, the enum rows and the ledger; a rerun changes nothing", async () => {
    const { db } = await emptyDb("migrate_empty");
    try {
      const first = await migrateToLatest(db);
      assert.equal(first.error, undefined);
      assert.deepEqual(
        first.results?.map((r) => r.status),
        Object.keys(MIGRATIONS).map(() => "Success"),
      );
      const mediatypes = await sql<{ name: string }>`SELECT name FROM mediatype ORDER BY name`.execute(db);
      assert.deepEqual(
        mediatypes.rows.map((r) => r.name),
        [...MEDIA_TYPES].sort(),
      );
      const kinds = await sql<{ name: string }>`SELECT name FROM tagkind`.execute(db);
      assert.deepEqual(
        kinds.rows.map((r) => r.name),
        ["tag"],
      );
      const unique = await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes
        WHERE schemaname = 'public' AND indexdef LIKE 'CREATE UNIQUE INDEX%' ORDER BY indexname`.execute(db);
      for (const expected of [
        "repositorytag_repository_id_name_lifetime_end_ts",
        "image_repository_id_docker_image_id",
        "manifest_repository_id_digest",
        "manifestblob_manifest_id_blob_id",
        "manifestlegacyimage_manifest_id",
        "tag_repository_id_name_lifetime_end_ms",
        "tagmanifesttomanifest_tag_manifest_id",
        "tagtorepositorytag_tag_id",
        "tagtorepositorytag_repository_tag_id",
        "manifestlabel_manifest_id_label_id",
        "manifestchild_manifest_id_child_manifest_id",
        "tagmanifest_tag_id",
      ]) {
        assert.ok(
          unique.rows.some((r) => r.indexname === expected),
          `missing unique index ${expected}`,
        );
      }
      const second = await migrateToLatest(db);
      assert.equal(second.error, undefined);
      assert.deepEqual(second.results, []);
      const status = await migrationStatus(db);
      assert.ok(status.every((m) => m.executedAt instanceof Date));
    } finally {
      await db.destroy();
    }
  });

  test("an existing Quay database keeps its tables, indexes and rows untouched", async () => {
    const { db } = await emptyDb("migrate_quay");
    try {
      // A Quay-made table with a shape of its own (extra column, its own index name) and rows.
      await sql`CREATE TABLE mediatype (id serial PRIMARY KEY, name varchar(255) NOT NULL, extra text)`.execute(
        db,
      );
      await sql`CREATE UNIQUE INDEX quay_mediatype_name_idx ON mediatype (name)`.execute(db);
      await sql`INSERT INTO mediatype (id, name, extra) VALUES
        (7, 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'quay'), (9, 'text/plain', NULL)`.execute(
        db,
      );
      await sql`SELECT setval('mediatype_id_seq', 20)`.execute(db);
      await sql`CREATE TABLE tagkind (id serial PRIMARY KEY, name varchar(255) NOT NULL)`.execute(db);
      await sql`INSERT INTO tagkind (id, name) VALUES (3, 'tag')`.execute(db);
      const before = { mediatype: await snapshot(db, "mediatype"), tagkind: await snapshot(db, "tagkind") };

      const { error } = await migrateToLatest(db);
      assert.equal(error, undefined);

      const after = { tagkind: await snapshot(db, "tagkind") };
      assert.deepEqual(after.tagkind, before.tagkind, "tagkind must be untouched: its one row exists");
      const media = (await snapshot(db, "mediatype")) as {
        columns: unknown;
        indexes: unknown;
        rows: { id: number; name: string }[];
      };
      const old = before.mediatype as typeof media;
      assert.deepEqual(media.columns, old.columns);
      assert.deepEqual(media.indexes, old.indexes, "no index added to Quay's table");
      assert.deepEqual(media.rows.slice(0, 2), old.rows, "existing rows keep their ids and values");
      assert.deepEqual(
        media.rows.map((r) => r.name).sort(),
        [...MEDIA_TYPES].sort(),
        "missing media types are added by name",
      );
      const tables = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name IN ('tag', 'manifest', 'repositorytag', 'image')`.execute(
        db,
      );
      assert.equal(tables.rows[0]?.n, 4, "absent tables are created");
    } finally {
      await db.destroy();
    }
  });

  test("two processes migrating one database at once apply each migration once", async () => {
    const { name, db } = await emptyDb("migrate_race");
    try {
      const env = { ...process.env, DATABASE_URL: databaseUrl(name) };
      const cli = path.join(REPO_ROOT, "src/cli/main.ts");
      const runs = await Promise.all(
        [1, 2].map(() => run(process.execPath, ["--import", "tsx", cli, "migrate"], { env, cwd: REPO_ROOT })),
      );
      const applied = runs.flatMap((r) => r.stdout.split("\n").filter((l) => /\tapplied \S+$/.test(l)));
      assert.equal(
        applied.length,
        Object.keys(MIGRATIONS).length,
        "each migration applied by exactly one process",
      );
      const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM backfill.kysely_migration`.execute(
        db,
      );
      assert.equal(rows.rows[0]?.n, Object.keys(MIGRATIONS).length);
      // `migrate --status` words the same state with the same line, and the same closing sentence.
      const status = await run(process.execPath, ["--import", "tsx", cli, "migrate", "--status"], {
        env,
        cwd: REPO_ROOT,
      });
      const statusLines = status.stdout.trimEnd().split("\n");
      assert.deepEqual(statusLines.slice(0, -1).sort(), applied.sort());
      assert.equal(statusLines.at(-1), "the database is up to date");
      for (const r of runs) assert.equal(r.stdout.trimEnd().split("\n").at(-1), "the database is up to date");
    } finally {
      await db.destroy();
    }
  });

  test("the checked-in schema dump matches a freshly migrated database (npm run schema:dump)", async () => {
    const live = await dumpMigratedSchema();
    const checkedIn = readFileSync(path.join(REPO_ROOT, "migrations/schema.sql"), "utf8");
    assert.equal(
      live,
      checkedIn,
      "schema changed: run `npm run schema:dump` and commit migrations/schema.sql",
    );
  });
});
