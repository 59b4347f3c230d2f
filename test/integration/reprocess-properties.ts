import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { sql, type Kysely } from "kysely";
import type { TagResult } from "../../src/backfill/batch-result.js";
import { loadReprocessTagIds, type ReprocessSelection } from "../../src/db/load-reprocess-tag-ids.js";
import type { Database } from "../../src/db/tables.js";
import { createVerifySource } from "../../src/db/verify-source.js";
import { writeSeedRegistry } from "../../src/db/write-seed-registry.js";
import { loadSigner } from "../../src/manifest/signer.js";
import { DEFECT_CLASSES, planSeedTags, seedOptions, type SeedTagExpectation } from "../../src/seed/index.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import { runVerify } from "../../src/verify/run-verify.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { runBatch } from "./batch-harness.js";

/**
 * Issue 11's invariants of `reprocess --force`, as properties over seeded registries: every defect class
 * at a raised rate, backfilled by the real batch core, then reprocessed with each selector the command
 * has (the ids come from the command's own selection query and go to the core in batches, as the
 * command sends them).
 *
 * - On data verify passes, reprocess --force repairs nothing and verify still passes; twice.
 * - After any reprocess --force (also over injected corruptions and defects fixed in place), verify
 *   reports no failing class it did not report before.
 * - The dry run lists exactly what the real run then changes, line for line.
 */
/** The seeds of the properties (two test files share them, to stay within a file's time limit). */
export const SEEDS = ["p1", "p2", "p3", "p4", "p5"];
const TAGS = 150;
const seedOf = (seed: string) => seedOptions({ tags: TAGS, seed, rates: RATES, tagManifestRate: 0.15 });

/** Every seeded defect class and stored-manifest kind that none of the seeds gives a visible tag. */
export function classesMissing(seeds: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const seed of seeds) {
    for (const tag of planSeedTags(seedOf(seed))) {
      if (tag.hidden) continue;
      if (tag.defect !== null) seen.add(tag.defect);
      if (tag.tagManifest !== null) seen.add(`stored:${tag.tagManifest}`);
    }
  }
  const expected = [...DEFECT_CLASSES, "stored:signed", "stored:unsigned", "stored:corrupt"];
  return expected.filter((c) => !seen.has(c));
}
const BATCH = 60;
const RATES = Object.fromEntries(
  DEFECT_CLASSES.map((d) => [d, d.startsWith("oversize") ? 0.007 : 0.04]),
) as Record<(typeof DEFECT_CLASSES)[number], number>;

// ES256: signing is most of a forced plan's CPU, and an EC signature costs a fraction of an RSA one.
const keyPem = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const ourKeyId = loadSigner(keyPem).kid;
let signer: BatchSigner;

/** Verify's failing classes, each with its examples (for the message when one is new). */
async function failingProblems(db: Kysely<Database>): Promise<Map<string, string>> {
  const report = await runVerify(createVerifySource(db, {}), { chunkSize: 400, ourKeyId });
  const out = new Map<string, string>();
  for (const p of report.problems
    .filter((x) => x.severity === "failing")
    .sort((a, b) => (a.code < b.code ? -1 : 1)))
    out.set(p.code, JSON.stringify(p.examples));
  return out;
}

async function failingClasses(db: Kysely<Database>): Promise<string[]> {
  return [...(await failingProblems(db)).keys()];
}

/** The stable lines of a reprocess: each change, and each refused or failed tag. */
function changeLines(results: readonly TagResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (r.reprocess === "refused" || r.reprocess === "failed")
      lines.push(`${r.repositoryTagId}\t${r.reprocess}\t${r.reprocessDetail ?? ""}`);
    for (const c of r.changes ?? [])
      lines.push(`${c.repositoryTagId}\t${c.table}.${c.column}\t${c.row}\t${c.old} -> ${c.new}`);
  }
  return lines;
}

/** `reprocess --force [--dry-run]` of these ids through the batch core, in batches of BATCH ids. */
async function reprocess(db: Kysely<Database>, ids: readonly number[], dryRun: boolean) {
  const results: TagResult[] = [];
  for (let start = 0; start < ids.length; start += BATCH) {
    const chunk = ids.slice(start, start + BATCH);
    const out = await runBatch(
      db,
      signer,
      { lo: chunk[0]!, hi: chunk.at(-1)!, tagIds: chunk },
      { force: true, dryRun },
    );
    results.push(...out.results);
  }
  const repaired = results.filter((r) => r.reprocess === "repaired").length;
  return { results, repaired, lines: changeLines(results) };
}

/** Dry run, then the real run: they must agree line for line. */
async function dryThenReal(db: Kysely<Database>, selection: ReprocessSelection, label: string) {
  const ids = (await loadReprocessTagIds(db, selection)).map((t) => t.id);
  const dry = await reprocess(db, ids, true);
  const real = await reprocess(db, ids, false);
  assert.deepEqual(real.lines, dry.lines, `${label}: the dry run lists what the run changes`);
  assert.equal(real.repaired, dry.repaired, label);
  return { ids, real };
}

/** One selection per flag of the command, built from the seeded data. */
async function selections(
  db: Kysely<Database>,
  tags: readonly SeedTagExpectation[],
): Promise<[string, ReprocessSelection][]> {
  const visible = tags.filter((t) => !t.hidden);
  const defective = visible.find((t) => t.defect !== null) ?? visible[0]!;
  const ids = visible.map((t) => t.repositoryTagId);
  const lo = ids[Math.floor(ids.length / 3)]!;
  const hi = ids[Math.floor((2 * ids.length) / 3)]!;
  // A reason of a broken outcome and one of a mapped tag kept as it is (stored, not pullable, or tarsum).
  const reasons = await sql<{ reason: string | null }>`
    SELECT min(reason) FILTER (WHERE outcome = 'backfilled_broken') AS reason FROM backfill.tag_outcome
    UNION ALL
    SELECT min(reason) FILTER (WHERE outcome = 'backfilled') FROM backfill.tag_outcome`.execute(db);
  const picked = visible
    .filter((t, i) => t.tagManifest !== null || t.defect !== null || i % 9 === 0)
    .map((t) => t.repositoryTagId);
  return [
    ["--all-broken", { allBroken: true }],
    ["--repository", { repository: `${defective.namespace}/${defective.repository}` }],
    ["--namespace", { namespace: defective.namespace }],
    ["--tag-ids", { tagIds: picked }],
    ["--id-range", { idRange: { lo, hi } }],
    ...reasons.rows.flatMap((r): [string, ReprocessSelection][] =>
      r.reason === null ? [] : [[`--reason ${r.reason}`, { reason: r.reason }]],
    ),
  ];
}

/** The first visible tag with this outcome reason (null: no reason) and, optionally, a stored kind. */
async function pick(
  db: Kysely<Database>,
  tags: readonly SeedTagExpectation[],
  reason: string | null,
  stored?: string,
): Promise<number | undefined> {
  const rows = await db
    .selectFrom("backfill.tag_outcome")
    .select("repository_tag_id")
    .where("reason", reason === null ? "is" : "=", reason)
    .orderBy("repository_tag_id")
    .execute();
  const byId = new Map(tags.map((t) => [t.repositoryTagId, t]));
  return rows
    .map((r) => r.repository_tag_id)
    .find((id) =>
      stored === undefined ? byId.get(id)?.tagManifest === null : byId.get(id)?.tagManifest === stored,
    );
}

const manifestOf = (id: number) => `(SELECT l.manifest_id FROM tagmanifesttomanifest l
  JOIN tagmanifest tm ON tm.id = l.tag_manifest_id WHERE tm.tag_id = ${id})`;

/**
 * Damage a finished run, as operators and earlier releases did: the unreadable stored text copied into
 * a placeholder (what reprocess did before issue 11), a placeholder marked not broken, a blob and two
 * legacy image rows deleted (one of a manifest whose leaf id the run rewrote), a generated manifest's
 * bytes and a tag's lifetime edited, another tag's manifest put in a tag manifest; and fix defects in
 * place (an upload finished, a checksum filled in).
 */
async function damage(db: Kysely<Database>, tags: readonly SeedTagExpectation[]): Promise<string[]> {
  const done: string[] = [];
  const run = async (what: string, id: number | undefined, statement: (id: number) => string) => {
    if (id === undefined) return;
    await sql.raw(statement(id)).execute(db);
    done.push(`${what} #${id}`);
  };
  await run(
    "placeholder filled with stored text",
    await pick(db, tags, "unparseable_stored_manifest", "corrupt"),
    (id) =>
      `UPDATE manifest SET manifest_bytes = (SELECT json_data FROM tagmanifest WHERE tag_id = ${id})
      WHERE id = ${manifestOf(id)}`,
  );
  await run(
    "placeholder not broken",
    await pick(db, tags, "invalid_metadata"),
    (id) =>
      `UPDATE tagmanifesttomanifest SET broken = false
      WHERE tag_manifest_id = (SELECT id FROM tagmanifest WHERE tag_id = ${id})`,
  );
  // Generated for one tag alone; the legacy image is the tag's own unless the run rewrote the leaf's id
  // (then it is the image row the run synthesised).
  const alone = await sql<{ id: number; own: boolean }>`
    SELECT o.repository_tag_id AS id,
           EXISTS (SELECT 1 FROM manifestlegacyimage li
                    WHERE li.manifest_id = l.manifest_id AND li.image_id = rt.image_id) AS own
      FROM backfill.tag_outcome o
      JOIN tagmanifest tm ON tm.tag_id = o.repository_tag_id
      JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id
      JOIN repositorytag rt ON rt.id = o.repository_tag_id
     WHERE o.outcome = 'backfilled' AND o.reason IS NULL
       AND NOT EXISTS (SELECT 1 FROM tagmanifesttomanifest o2 WHERE o2.manifest_id = l.manifest_id AND o2.id <> l.id)
     ORDER BY 1`.execute(db);
  const generated = alone.rows.filter((r) =>
    tags.some((t) => t.repositoryTagId === r.id && t.tagManifest === null),
  );
  const clean = generated.filter((r) => r.own).map((r) => r.id);
  await run(
    "legacy image deleted under rewritten ids",
    generated.find((r) => !r.own)?.id,
    (id) => `DELETE FROM manifestlegacyimage WHERE manifest_id = ${manifestOf(id)}`,
  );
  await run(
    "manifestblob deleted",
    clean[0],
    (id) =>
      `DELETE FROM manifestblob WHERE id = (SELECT min(id) FROM manifestblob WHERE manifest_id = ${manifestOf(id)})`,
  );
  await run(
    "legacy image deleted",
    clean[1],
    (id) => `DELETE FROM manifestlegacyimage WHERE manifest_id = ${manifestOf(id)}`,
  );
  await run(
    "generated bytes edited",
    clean[2],
    (id) =>
      `UPDATE manifest SET manifest_bytes = replace(manifest_bytes, '"architecture": "amd64"', '"architecture": "arm64"')
      WHERE id = ${manifestOf(id)}`,
  );
  await run(
    "tag lifetime edited",
    clean[3],
    (id) =>
      `UPDATE tag SET lifetime_start_ms = lifetime_start_ms + 1
      WHERE id = (SELECT tag_id FROM tagtorepositorytag WHERE repository_tag_id = ${id})`,
  );
  const donor = clean[5];
  await run(
    "another manifest in the tag manifest",
    donor === undefined ? undefined : clean[4],
    (id) =>
      `UPDATE tagmanifest SET json_data = (SELECT json_data FROM tagmanifest WHERE tag_id = ${donor})
      WHERE tag_id = ${id}`,
  );
  await run(
    "upload finished",
    await pick(db, tags, "uploading_storage"),
    () => `UPDATE imagestorage SET uploading = false WHERE uploading`,
  );
  await run(
    "checksum filled in",
    await pick(db, tags, "missing_checksum"),
    () =>
      `UPDATE imagestorage SET content_checksum = 'sha256:' || encode(sha256(('fixed-' || id)::bytea), 'hex')
      WHERE content_checksum IS NULL`,
  );
  return done;
}

/** The properties over these seeds, one test each. */
export function reprocessProperties(seeds: readonly string[]): void {
  describe(`reprocess --force: properties over seeded registries ${seeds.join(", ")}`, () => {
    before(() => {
      signer = createSignerPool(keyPem);
    });
    after(async () => {
      await signer.close();
    });

    for (const seed of seeds) {
      test(`seed ${seed}: nothing to repair on verified data; corrupted data never gets a new failing class; dry run = run`, async () => {
        const t: TestDatabase = await createTestDatabase(`reprocess_prop_${seed}`);
        try {
          const options = seedOf(seed);
          await writeSeedRegistry(t.db, options, { reset: false, force: false });
          const tags = [...planSeedTags(options)];
          const first = await runBatch(t.db, signer, { lo: 1, hi: 1e9 });
          assert.equal(first.counts.failed, 0);
          assert.deepEqual(await failingClasses(t.db), [], "the backfilled seed passes verify");

          for (const [label, selection] of await selections(t.db, tags)) {
            // Run 1 is checked against its dry run; run 2 must find nothing either.
            const { ids, real } = await dryThenReal(t.db, selection, label);
            const second = await reprocess(t.db, ids, false);
            assert.ok(ids.length > 0, `${label} selects tags`);
            for (const [round, out] of [real, second].entries()) {
              // The one refusal allowed: a row shared by tags whose stored manifests have one payload and
              // other signatures (a correct run's shape; verify's notice manifest_bytes_shared_digest).
              const unexpected = out.lines.filter((l) => !/\trefused\tshared_manifest_bytes: /.test(l));
              assert.deepEqual(unexpected, [], `${label} (run ${round + 1}) changes and refuses nothing`);
              assert.equal(out.repaired, 0);
            }
            // Neither run changed a row (asserted above); verify once for both.
            assert.deepEqual(await failingClasses(t.db), [], `${label}: verify still passes`);
          }

          const damaged = await damage(t.db, tags);
          assert.ok(damaged.length >= 7, damaged.join(", "));
          assert.ok(
            damaged.some((d) => d.startsWith("legacy image deleted under rewritten ids")),
            damaged.join(", "),
          );
          let failing = await failingClasses(t.db);
          assert.ok(failing.length > 0, "the damage is seen");
          const all = await selections(t.db, tags);
          all.push(["--id-range (all)", { idRange: { lo: 1, hi: 2147483647 } }]);
          for (const [label, selection] of all) {
            await dryThenReal(t.db, selection, `${label} over damage (${damaged.join(", ")})`);
            const found = await failingProblems(t.db);
            const now = [...found.keys()];
            const added = now
              .filter((code) => !failing.includes(code))
              .map((code) => `${code} ${found.get(code)}`);
            assert.deepEqual(
              added,
              [],
              `${label}: no new failing class (before: ${failing.join(", ")}; damage: ${damaged.join(", ")})`,
            );
            failing = now;
          }
          // What reprocess repairs is gone: the placeholders, the blob and legacy image rows.
          for (const code of ["placeholder_invalid", "blob_missing", "legacy_image_missing"])
            assert.ok(!failing.includes(code), `${code} repaired (left: ${failing.join(", ")})`);
          const again = await reprocess(
            t.db,
            (await loadReprocessTagIds(t.db, { allBroken: true })).map((x) => x.id),
            false,
          );
          assert.equal(again.repaired, 0, `a second --all-broken repairs nothing: ${again.lines.join("\n")}`);
        } finally {
          await t.drop();
        }
      });
    }
  });
}
