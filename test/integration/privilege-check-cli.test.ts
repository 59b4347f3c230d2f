import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import type { Database } from "../../src/db/tables.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { ADMIN_URL, createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { testRoleName } from "../support/test-names.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { LegacyFixtures, mixedTags } from "./batch-fixtures.js";
import { jsonLines, runCli, type CliResult } from "./run-support.js";

/** The `backfill: …` lines a command printed (log lines are JSON). */
function refusals(out: CliResult): string[] {
  return out.stderr.split("\n").filter((l) => l.startsWith("backfill: "));
}

function privilegeLine(out: CliResult): Record<string, unknown> | undefined {
  return jsonLines(out.stderr).find((line) => line.event === "privileges.checked");
}

/** What a run leaves in the ledger and in Quay's tables it writes. */
async function written(db: Kysely<Database>) {
  const counts = await sql<Record<string, number>>`
    SELECT (SELECT count(*) FROM backfill.run)::int AS runs, (SELECT count(*) FROM backfill.batch)::int AS batches,
           (SELECT count(*) FROM backfill.tag_outcome)::int AS outcomes, (SELECT count(*) FROM tag)::int AS tags,
           (SELECT count(*) FROM tagtorepositorytag)::int AS mappings, (SELECT count(*) FROM manifest)::int AS manifests,
           (SELECT count(*) FROM manifestblob)::int AS blobs, (SELECT count(*) FROM image)::int AS images,
           (SELECT count(*) FROM tagmanifestlabelmap)::int AS labelmaps`.execute(db);
  return counts.rows[0];
}

describe("the privilege check at the start of the commands", () => {
  let t: TestDatabase;
  let redis: TestRedis;
  let key: SigningKeyFile;
  let candidates: number;
  let legacyImages: number;
  /** Everything but TEMPORARY (revoked from PUBLIC on this database) and INSERT on manifestblob. */
  const locked = testRoleName("locked");
  /** Nothing granted but what PUBLIC has (CONNECT, USAGE on schema public). */
  const bare = testRoleName("bare");
  const envOf = (role: string) => {
    const url = new URL(t.url);
    url.username = role;
    return {
      DATABASE_URL: url.toString(),
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      BACKFILL_SIGNING_KEY_FILE: key.path,
    };
  };

  before(async () => {
    [t, redis] = await Promise.all([createTestDatabase("privileges"), createTestRedis("privileges")]);
    key = createSigningKeyFile("privileges");
    // Clean, rewritten (a synthesised image), stored with a label, broken, tarsum: every kind of row a batch writes.
    candidates = (await mixedTags(new LegacyFixtures(t.db), "acme", "app", 5)).length;
    legacyImages = (await written(t.db))?.images ?? 0;
    for (const statement of [
      `REVOKE TEMPORARY ON DATABASE "${t.name}" FROM PUBLIC`,
      `CREATE ROLE "${locked}" LOGIN`,
      `CREATE ROLE "${bare}" LOGIN`,
      `GRANT USAGE ON SCHEMA backfill TO "${locked}"`,
      `GRANT ALL ON ALL TABLES IN SCHEMA public, backfill TO "${locked}"`,
      `GRANT ALL ON ALL SEQUENCES IN SCHEMA public, backfill TO "${locked}"`,
      `REVOKE INSERT ON manifestblob FROM "${locked}"`,
    ]) {
      await sql.raw(statement).execute(t.db);
    }
  });

  after(async () => {
    await redis.cleanup();
    key.remove();
    // The roles' privileges live in this database; dropping it first lets the roles go.
    await t.drop();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS "${locked}", "${bare}"`);
    } finally {
      await admin.end();
    }
  });

  test("a role without TEMPORARY and without INSERT on one table: `run` stops before any batch, exit 2, one line naming both and the GRANTs", async () => {
    const [run, verify] = await Promise.all([
      runCli(["run", "--no-progress"], envOf(locked)),
      runCli(["verify"], envOf(locked)),
    ]);
    assert.equal(run.status, 2, run.stderr);
    assert.deepEqual(refusals(run), [
      `backfill: the database role ${locked} lacks privileges this command needs: ` +
        `TEMPORARY on database ${t.name}; INSERT on table public.manifestblob; ` +
        `grant them as their owner or a superuser: GRANT TEMPORARY ON DATABASE ${t.name} TO ${locked}; ` +
        `GRANT INSERT ON public.manifestblob TO ${locked}; see docs/operating.md`,
    ]);
    const { level, role, uses, outcome, missing, grants, absent } = privilegeLine(run) ?? {};
    assert.deepEqual(
      { level, role, uses, outcome, missing, grants, absent },
      {
        level: "error",
        role: locked,
        uses: ["read", "ledger", "write"],
        outcome: "missing",
        missing: [`TEMPORARY on database ${t.name}`, "INSERT on table public.manifestblob"],
        grants: [
          `GRANT TEMPORARY ON DATABASE ${t.name} TO ${locked}`,
          `GRANT INSERT ON public.manifestblob TO ${locked}`,
        ],
        absent: [],
      },
    );
    assert.deepEqual(await written(t.db), {
      runs: 0,
      batches: 0,
      outcomes: 0,
      tags: 0,
      mappings: 0,
      manifests: 0,
      blobs: 0,
      images: legacyImages,
      labelmaps: 0,
    });
    // verify only reads: neither TEMPORARY nor INSERT is asked of it.
    assert.deepEqual(
      refusals(verify).filter((l) => /privileges/.test(l)),
      [],
      verify.stderr,
    );
    assert.equal(privilegeLine(verify)?.outcome, "granted", verify.stderr);
    assert.deepEqual(privilegeLine(verify)?.uses, ["read"]);
  });

  test("a role with nothing: the refusal's GRANTs are all a real run needs; with them it maps every tag", async () => {
    const [refusedVerify, refusedRun] = await Promise.all([
      runCli(["verify"], envOf(bare)),
      runCli(["run", "--no-progress"], envOf(bare)),
    ]);
    assert.equal(refusedVerify.status, 2, refusedVerify.stderr);
    const readGrants = privilegeLine(refusedVerify)?.grants as string[];
    assert.equal(readGrants.length, 2, readGrants.join("\n"));
    assert.match(readGrants[0] ?? "", /^GRANT USAGE ON SCHEMA backfill TO /);
    assert.match(readGrants[1] ?? "", /^GRANT SELECT ON backfill\.tag_outcome, public\.image, /);
    assert.doesNotMatch(refusals(refusedVerify).join("\n"), /TEMPORARY|INSERT|UPDATE|DELETE/);

    assert.equal(refusedRun.status, 2, refusedRun.stderr);
    assert.equal(refusals(refusedRun).length, 1, refusedRun.stderr);
    const grants = privilegeLine(refusedRun)?.grants as string[];
    assert.ok(grants.some((g) => g.startsWith("GRANT TEMPORARY ON DATABASE")));
    assert.ok(grants.some((g) => g.startsWith("GRANT USAGE ON SEQUENCE ")));
    for (const grant of grants) assert.ok(refusals(refusedRun)[0]?.includes(`${grant};`), grant);
    assert.equal((await written(t.db))?.runs, 0);

    for (const grant of grants) await sql.raw(grant).execute(t.db);
    const run = await runCli(["run", "--no-progress"], envOf(bare));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(privilegeLine(run)?.outcome, "granted");
    const after = await written(t.db);
    assert.equal(after?.runs, 1);
    assert.equal(after?.mappings, candidates, "every candidate tag mapped");
    // COPY into temporary tables (manifests, blobs), a synthesised image from its sequence, a label map.
    assert.ok((after?.manifests ?? 0) > 0 && (after?.blobs ?? 0) > 0, JSON.stringify(after));
    assert.ok((after?.images ?? 0) > legacyImages && (after?.labelmaps ?? 0) > 0, JSON.stringify(after));
  });
});
