import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import { SEEDED_TABLES } from "../../src/db/seed-writer.js";
import { writeSeedRegistry } from "../../src/db/write-seed-registry.js";
import type { Database } from "../../src/db/tables.js";
import { UsageError } from "../../src/errors.js";
import { DEFECT_CLASSES, planSeedTags, seedOptions } from "../../src/seed/index.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const TABLES = SEEDED_TABLES;

/** Each seeded table's row count and an md5 over all its rows in id order. */
async function fingerprint(db: Kysely<Database>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ n: number; md5: string | null }>`SELECT count(*)::int AS n,
      md5(string_agg(t::text, '|' ORDER BY t.id)) AS md5 FROM ${sql.table(table)} t`.execute(db);
    out[table] = `${rows[0]?.n}:${rows[0]?.md5}`;
  }
  return out;
}

function cli(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const databases: TestDatabase[] = [];
async function database(label: string): Promise<TestDatabase> {
  const created = await createTestDatabase(label);
  databases.push(created);
  return created;
}

after(async () => {
  for (const d of databases) await d.drop();
});

describe("backfill seed", () => {
  let first: TestDatabase;
  before(async () => {
    first = await database("seed_a");
  });

  test("100 tags: the rows the summary counts, sequences past the ids, the same rows on a second database", async () => {
    const options = seedOptions({ tags: 100, seed: "integration" });
    const totals = await writeSeedRegistry(first.db, options, { reset: false, force: false });
    const print = await fingerprint(first.db);
    for (const table of TABLES) assert.equal(print[table]?.split(":")[0], String(totals.rows[table]), table);
    assert.equal(totals.rows.repositorytag, 100);

    const user = await first.db
      .insertInto("user")
      .values({ username: "after-seed", email: "after@example.com" })
      .returning("id")
      .executeTakeFirstOrThrow();
    assert.equal(user.id, (totals.rows.user ?? 0) + 1);
    await first.db.deleteFrom("user").where("id", "=", user.id).execute();

    const second = await database("seed_b");
    await writeSeedRegistry(second.db, options, { reset: false, force: false });
    assert.deepEqual(await fingerprint(second.db), print);

    const third = await database("seed_c");
    await writeSeedRegistry(third.db, seedOptions({ tags: 100, seed: "other" }), {
      reset: false,
      force: false,
    });
    assert.notDeepEqual((await fingerprint(third.db)).image, print.image);
  });

  test("an earlier seed is refused without --reset and replaced with it", async () => {
    const options = seedOptions({ tags: 100, seed: "integration" });
    const before = await fingerprint(first.db);
    await assert.rejects(
      writeSeedRegistry(first.db, options, { reset: false, force: false }),
      (err: unknown) =>
        err instanceof UsageError && /already holds a synthetic registry.*--reset/.test(err.message),
    );
    assert.deepEqual(await fingerprint(first.db), before);
    await writeSeedRegistry(first.db, seedOptions({ tags: 150, seed: "x" }), { reset: true, force: false });
    assert.equal((await fingerprint(first.db)).repositorytag?.split(":")[0], "150");
    await writeSeedRegistry(first.db, options, { reset: true, force: false });
    assert.deepEqual(await fingerprint(first.db), before, "a reset restarts ids: the same rows again");
  });

  test("a database with data the seeder did not create is refused without --force, left untouched", async () => {
    const foreign = await database("seed_foreign");
    const alice = await foreign.db
      .insertInto("user")
      .values({ username: "alice", email: "alice@example.com" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const options = seedOptions({ tags: 100, seed: "foreign" });
    await assert.rejects(
      writeSeedRegistry(foreign.db, options, { reset: false, force: false }),
      (err: unknown) => err instanceof UsageError && /did not create \(1 users.*--force/.test(err.message),
    );
    assert.equal((await fingerprint(foreign.db)).repositorytag, "0:null");

    const totals = await writeSeedRegistry(foreign.db, options, { reset: false, force: true });
    assert.equal(totals.rows.repositorytag, 100);
    const users = await foreign.db.selectFrom("user").select(["id", "email"]).orderBy("id").execute();
    assert.deepEqual(users[0], { id: alice.id, email: "alice@example.com" });
    assert.equal(users[1]?.id, alice.id + 1, "seeded ids start after the existing ones");
    for (const force of [false, true]) {
      await assert.rejects(
        writeSeedRegistry(foreign.db, options, { reset: true, force }),
        /--reset refused: .* holds data the seeder did not create \(1 users/,
        `--reset over foreign rows is refused (force ${String(force)})`,
      );
    }
    const before = await fingerprint(foreign.db);
    // Through the CLI: one line saying why, exit 2, nothing deleted.
    const out = await cli(["seed", "--tags", "100", "--reset", "--force"], foreign.url);
    assert.equal(out.code, 2);
    assert.equal(out.stdout, "");
    assert.match(
      out.stderr,
      /^backfill: --reset refused: .* holds data the seeder did not create \(1 users, \d+ repositories\).*\n$/,
    );
    assert.equal(out.stderr.split("\n").length, 2, "one line");
    assert.deepEqual(await fingerprint(foreign.db), before, "Quay's tables were not emptied");
  });

  test("20,000 tags seed, and the rows match planSeedTags tag by tag", async () => {
    const big = await database("seed_big");
    const options = seedOptions({ tags: 20_000, seed: "big" });
    const totals = await writeSeedRegistry(big.db, options, { reset: false, force: false, chunkTags: 1500 });
    assert.equal(totals.rows.repositorytag, 20_000);
    const rows = await big.db
      .selectFrom("repositorytag")
      .select(["id", "name", "image_id", "hidden"])
      .orderBy("id")
      .execute();
    const plan = [...planSeedTags(options)];
    assert.deepEqual(
      rows.map((r) => [r.id, r.name, r.image_id, r.hidden]),
      plan.map((t) => [t.repositoryTagId, t.name, t.imageId, t.hidden]),
    );
    for (const defect of DEFECT_CLASSES) {
      assert.equal(totals.defects[defect], plan.filter((t) => t.defect === defect).length, defect);
    }
    const uploading = await big.db
      .selectFrom("imagestorage")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("uploading", "=", true)
      .executeTakeFirstOrThrow();
    assert.equal(Number(uploading.n), totals.defects["storage-uploading"]);
  });

  test("the command line: bad flags exit 2 with a message, --help lists every defect with its default", async () => {
    const url = first.url;
    const few = await cli(["seed", "--tags", "99"], url);
    assert.equal(few.code, 2);
    assert.match(few.stderr, /--tags must be from 100 to 1000000, got 99/);
    const rate = await cli(["seed", "--tags", "100", "--rate-tarsum", "1.5"], url);
    assert.equal(rate.code, 2);
    assert.match(rate.stderr, /--rate-tarsum expects a fraction from 0 to 1/);
    const again = await cli(["seed", "--tags", "100"], url);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a synthetic registry/);
    const help = await cli(["seed", "--help"], url);
    assert.equal(help.code, 0);
    for (const defect of DEFECT_CLASSES) assert.match(help.stdout, new RegExp(`--rate-${defect} <fraction>`));
    assert.match(help.stdout, /--clean/);
    assert.match(help.stdout, /--reset/);
    assert.match(help.stdout, /--force/);
  });
});
