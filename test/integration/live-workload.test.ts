import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { runWorkload } from "../../bench/io/app-workload.js";
import { DEFAULT_MIX } from "../../bench/lib/workload-plan.js";
import { createVerifySource } from "../../src/db/verify-source.js";
import { writeSeedRegistry } from "../../src/db/write-seed-registry.js";
import { loadSigner } from "../../src/manifest/signer.js";
import { seedOptions } from "../../src/seed/index.js";
import { runVerify } from "../../src/verify/run-verify.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { invalidLogLines, jsonLines, runCli } from "./run-support.js";
import { readFileSync } from "node:fs";

/**
 * Issue 14: Quay keeps serving while the backfill runs. The application workload (bench/io/app-workload.ts:
 * tag lookups on both models, manifests by digest, blob lookups, tag pushes) runs against the database for
 * the whole of a real `backfill run` of a seeded registry; every push succeeds and the run still maps every
 * tag, as verify checks.
 */
describe("the application workload beside a full backfill", () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let key: SigningKeyFile;

  before(async () => {
    db = await createTestDatabase("live_workload");
    redis = await createTestRedis("live-workload");
    key = createSigningKeyFile("live-workload");
    await writeSeedRegistry(db.db, seedOptions({ tags: 1500, seed: "live-workload" }), {
      reset: false,
      force: false,
    });
  });
  after(async () => {
    await redis.cleanup();
    await db.drop();
    key.remove();
  });

  test("every push succeeds, the run completes and verify passes with the pushed tags in place", async () => {
    const stop = new AbortController();
    const workload = runWorkload(
      {
        databaseUrl: db.url,
        seconds: 600,
        rate: 30,
        mix: DEFAULT_MIX,
        connections: 6,
        maxInFlight: 200,
        seed: 9,
      },
      stop.signal,
    );
    let run;
    try {
      run = await runCli(["run", "--no-progress", "--batch-size", "100"], {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        BACKFILL_QUEUE_PREFIX: redis.prefix,
        BACKFILL_SIGNING_KEY_FILE: key.path,
      });
    } finally {
      stop.abort();
    }
    const summary = await workload;
    assert.equal(run.status, 0, run.stderr.slice(-3000));
    const lines = jsonLines(run.stderr);
    assert.deepEqual(invalidLogLines(lines), []);
    assert.equal(lines.filter((l) => l.event === "batch.failed").length, 0);

    assert.equal(summary.all.errors, 0, JSON.stringify(summary.errorSamples));
    const pushes = summary.byOperation.push?.count ?? 0;
    assert.ok(pushes > 0, "the workload pushed while the run went on");
    for (const op of ["tag_legacy", "tag", "manifest_by_digest", "blob"] as const) {
      assert.ok((summary.byOperation[op]?.count ?? 0) > 0, op);
    }
    // Each push wrote one tag row, ending the previous one of its name in its repository: all are there,
    // and no name has two live rows.
    const pushed = await sql<{ n: number; doubled: number }>`
      SELECT count(*)::int AS n,
        (SELECT count(*)::int FROM (SELECT 1 FROM tag WHERE name LIKE 'wl-%' AND lifetime_end_ms IS NULL
          GROUP BY repository_id, name HAVING count(*) > 1) d) AS doubled
      FROM tag WHERE name LIKE 'wl-%'`.execute(db.db);
    assert.equal(pushed.rows[0]?.n, pushes);
    assert.equal(pushed.rows[0]?.doubled, 0);

    const report = await runVerify(createVerifySource(db.db, {}), {
      chunkSize: 400,
      ourKeyId: loadSigner(readFileSync(key.path, "utf8")).kid,
    });
    assert.deepEqual(
      report.problems.filter((p) => p.severity === "failing"),
      [],
    );
    const visible = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM repositorytag WHERE NOT hidden`.execute(db.db);
    assert.equal(report.checkedTags, visible.rows[0]?.n, "every legacy tag mapped and checked");
  });
});
