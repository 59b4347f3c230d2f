import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../src/db/tables.js";
import { writeSeedRegistry } from "../../src/db/write-seed-registry.js";
import { seedOptions } from "../../src/seed/index.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { runBatch, testKeyPem } from "./batch-harness.js";

/**
 * Versions of a tag over one image share one manifest payload and so one `manifest` row per digest.
 * Which signed bytes that row holds must not depend on which batch commits first: two backfills of the
 * same registry with other batch sizes and another batch order store byte-identical manifest tables.
 */
const TAGS = 1200;
const SEED = { tags: TAGS, seed: "shared-payload" };

let first: TestDatabase;
let second: TestDatabase;
let signer: BatchSigner;

async function idRange(db: Kysely<Database>): Promise<{ lo: number; hi: number }> {
  const row = await db
    .selectFrom("repositorytag")
    .select((eb) => [eb.fn.min("id").as("lo"), eb.fn.max("id").as("hi")])
    .executeTakeFirstOrThrow();
  return { lo: Number(row.lo), hi: Number(row.hi) };
}

/** Visible tags with an earlier visible version over the same image: the later versions of a payload. */
async function laterVersions(db: Kysely<Database>): Promise<number[]> {
  const result = await sql<{ id: number }>`
    SELECT rt.id FROM repositorytag rt
     WHERE NOT rt.hidden
       AND EXISTS (SELECT 1 FROM repositorytag v
                    WHERE v.repository_id = rt.repository_id AND v.name = rt.name
                      AND v.image_id = rt.image_id AND NOT v.hidden AND v.id < rt.id)
     ORDER BY rt.id`.execute(db);
  return result.rows.map((row) => row.id);
}

async function backfill(db: Kysely<Database>, batches: { lo: number; hi: number; tagIds?: number[] }[]) {
  for (const range of batches) {
    const result = await runBatch(db, signer, range);
    assert.equal(
      result.counts.failed,
      0,
      JSON.stringify(result.results.filter((r) => r.outcome === "failed")),
    );
  }
}

async function manifestTables(db: Kysely<Database>) {
  const manifests = await sql<{ repository_id: number; digest: string; manifest_bytes: string }>`
    SELECT repository_id, digest, manifest_bytes FROM manifest ORDER BY repository_id, digest`.execute(db);
  const tagManifests = await sql<{ tag_id: number; digest: string; json_data: string }>`
    SELECT tag_id, digest, json_data FROM tagmanifest ORDER BY tag_id`.execute(db);
  return { manifests: manifests.rows, tagManifests: tagManifests.rows };
}

describe("shared manifest payloads: the stored bytes do not depend on batch order or size", () => {
  before(async () => {
    signer = createSignerPool(testKeyPem());
    first = await createTestDatabase("shared_payload_a");
    second = await createTestDatabase("shared_payload_b");
    for (const t of [first, second]) {
      await writeSeedRegistry(t.db, seedOptions(SEED), { reset: false, force: false });
    }
  });
  after(async () => {
    await signer.close();
    await first.drop();
    await second.drop();
  });

  test("ascending batches of 150 vs later versions first, then descending batches of 400", async () => {
    const { lo, hi } = await idRange(first.db);
    const later = await laterVersions(second.db);
    assert.ok(later.length > 0, "the seed has tag versions sharing a payload");

    const ascending = [];
    for (let start = lo; start <= hi; start += 150) ascending.push({ lo: start, hi: start + 149 });
    await backfill(first.db, ascending);

    const descending = [];
    for (let end = hi; end >= lo; end -= 400) descending.push({ lo: Math.max(lo, end - 399), hi: end });
    await backfill(second.db, [{ lo, hi, tagIds: later }, ...descending]);

    const a = await manifestTables(first.db);
    const b = await manifestTables(second.db);
    assert.equal(b.manifests.length, a.manifests.length);
    const differing = a.manifests.filter((row, i) => row.manifest_bytes !== b.manifests[i]?.manifest_bytes);
    assert.deepEqual(
      differing.map((row) => row.digest),
      [],
      "manifest rows whose bytes depend on the batch order",
    );
    assert.deepEqual(b.manifests, a.manifests);
    assert.deepEqual(b.tagManifests, a.tagManifests);
  });
});
