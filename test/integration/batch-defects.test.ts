import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { TagResult } from "../../src/backfill/batch-result.js";
import { buildSchema1 } from "../../src/manifest/build-schema1.js";
import { sha256Digest } from "../../src/manifest/digest.js";
import { MEDIA_TYPES } from "../../src/manifest/media-types.js";
import { parseSchema1 } from "../../src/manifest/parse-schema1.js";
import { pullCheck } from "../../src/manifest/pull-check.js";
import { signSchema1 } from "../../src/manifest/sign-schema1.js";
import { loadSigner } from "../../src/manifest/signer.js";
import { verifySchema1Signatures } from "../../src/manifest/verify-schema1.js";
import { createSignerPool } from "../../src/signing/signer-pool.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { blobSum, integrityProblems, LegacyFixtures, v1Id, v1Json } from "./batch-fixtures.js";
import { runBatch, testKeyPem } from "./batch-harness.js";

/**
 * One tag per defect class of docs/domain-rules.md in one batch; each tag's outcome and rows checked against
 * the rules, generated manifests re-parsed, digest recomputed, signature verified and pull-checked.
 */
describe("processBatch: one tag per defect class", () => {
  let t: TestDatabase;
  let signer: BatchSigner;
  const ids: Record<string, number> = {};
  const leafImage: Record<string, number> = {};
  let results: Map<number, TagResult>;
  let repo: number;

  before(async () => {
    t = await createTestDatabase("batch_defects");
    signer = createSignerPool(testKeyPem(), { mode: "threads", threads: 2 });
    const f = new LegacyFixtures(t.db);
    repo = await f.repository("devtable", "simple");
    const library = await f.repository("library", "base");

    const clean = await f.chain(repo, "clean", [{}, {}]);
    ids.clean = await f.tag(repo, "latest", clean[1]!.id, { start: 1500000000 });
    leafImage.clean = clean[1]!.id;
    ids.dead = await f.tag(repo, "old", clean[1]!.id, { start: 0, end: 1600000000, reversion: true });
    const lib = await f.chain(library, "lib", [{}]);
    ids.library = await f.tag(library, "3.1", lib[0]!.id);

    const orphan = await f.image(
      repo,
      v1Id("orphan"),
      null,
      await f.storage(blobSum("orphan")),
      v1Json(v1Id("orphan"), v1Id("gone")),
      "/99999/",
    );
    ids.missingParent = await f.tag(repo, "missing-parent", orphan.id);
    leafImage.missingParent = orphan.id;
    const uploading = await f.chain(repo, "uploading", [{ uploading: true }, {}]);
    ids.uploading = await f.tag(repo, "uploading", uploading[1]!.id);
    const noStorage = await f.chain(repo, "nostorage", [{ noStorage: true }]);
    ids.nullStorage = await f.tag(repo, "null-storage", noStorage[0]!.id);
    const noChecksum = await f.chain(repo, "nochecksum", [{}, { checksum: null }]);
    ids.missingChecksum = await f.tag(repo, "missing-checksum", noChecksum[1]!.id);
    const badJson = await f.chain(repo, "badjson", [{ json: "{not json" }]);
    ids.invalidMetadata = await f.tag(repo, "invalid-metadata", badJson[0]!.id);
    const big = await f.chain(repo, "big", [
      {},
      { json: v1Json(v1Id("big/1"), v1Id("big/0"), { junk: "x".repeat(3_200_000) }) },
    ]);
    ids.tooLarge = await f.tag(repo, "too-large", big[1]!.id);
    const tarsum = await f.chain(repo, "tarsum", [{ checksum: "tarsum+sha256:" + "a".repeat(64) }]);
    ids.tarsum = await f.tag(repo, "tarsum", tarsum[0]!.id);

    // Invalid ids: one not hex, one the repository already holds over another blob (Quay's rule).
    const shortId = await f.chain(repo, "short", [{}, { dockerId: "not-a-valid-id" }]);
    ids.rewriteShort = await f.tag(repo, "rewrite-short", shortId[1]!.id);
    leafImage.rewriteShort = shortId[1]!.id;
    const taken = v1Id("taken");
    await f.image(repo, taken, null, await f.storage(blobSum("other-blob")), v1Json(taken, null));
    const collide = await f.chain(repo, "collide", [{ json: v1Json(taken, null) }, {}]);
    // The second layer's JSON names the first row's v1 id as parent, but that row claims `taken`.
    await t.db
      .updateTable("image")
      .set({ v1_json_metadata: v1Json(v1Id("collide/1"), taken) })
      .where("id", "=", collide[1]!.id)
      .execute();
    ids.rewriteCollision = await f.tag(repo, "rewrite-collision", collide[1]!.id);

    // Stored tag manifests.
    const storedChain = await f.chain(repo, "stored", [{}, {}]);
    const layers = [
      { blobSum: blobSum("stored/1"), v1Compatibility: v1Json(v1Id("stored/1"), v1Id("stored/0")) },
      { blobSum: blobSum("stored/0"), v1Compatibility: v1Json(v1Id("stored/0"), null) },
    ];
    const storedBytes = await signSchema1(
      buildSchema1({ name: "devtable/simple", tag: "stored", layers }),
      loadSigner(testKeyPem()),
      new Date("2017-01-01T00:00:00Z"),
    );
    ids.stored = await f.tag(repo, "stored", storedChain[1]!.id);
    const storedTm = await f.tagManifest(ids.stored, storedBytes, "sha256:whatever-quay-wrote");
    await f.label(repo, storedTm, "maintainer", "me");
    await f.label(repo, storedTm, "version", "1");

    // A blob outside the chain but under another image of the repository; one found nowhere.
    const elsewhere = blobSum("elsewhere");
    await f.image(repo, v1Id("holder"), null, await f.storage(elsewhere), v1Json(v1Id("holder"), null));
    const unsigned = buildSchema1({
      name: "devtable/simple",
      tag: "fallback",
      layers: [{ blobSum: elsewhere, v1Compatibility: v1Json(v1Id("fb"), null) }],
    });
    ids.repoFallback = await f.tag(repo, "fallback", storedChain[0]!.id);
    await f.tagManifest(ids.repoFallback, unsigned, "sha256:x");
    const nowhere = buildSchema1({
      name: "devtable/simple",
      tag: "nowhere",
      layers: [{ blobSum: blobSum("nowhere"), v1Compatibility: v1Json(v1Id("nw"), null) }],
    });
    ids.missingBlob = await f.tag(repo, "nowhere", storedChain[0]!.id);
    await f.tagManifest(ids.missingBlob, nowhere, "sha256:y");
    // A corrupt stored manifest (lower id, so planned first) and a valid one under the same recorded digest.
    ids.corruptSameDigest = await f.tag(repo, "same-digest", storedChain[0]!.id, { start: 1, end: 2 });
    await f.tagManifest(ids.corruptSameDigest, "{", sha256Digest(unsigned));
    ids.sameDigestValid = await f.tag(repo, "same-digest", storedChain[0]!.id, { start: 1600000000 });
    await f.tagManifest(ids.sameDigestValid, unsigned, sha256Digest(unsigned));
    ids.unparseable = await f.tag(repo, "unparseable", storedChain[0]!.id);
    await f.tagManifest(ids.unparseable, '{"schemaVersion": 1, broken', "sha256:z");

    // Skipped: hidden; already mapped. Reused: a tag row Quay wrote without a mapping.
    ids.hidden = await f.tag(repo, "hidden", clean[1]!.id, { hidden: true });
    ids.quayTag = await f.tag(repo, "quay-wrote-tag", clean[1]!.id, { end: 1700000000 });
    const kind = await t.db.selectFrom("tagkind").select("id").executeTakeFirstOrThrow();
    const quayTag = await t.db
      .insertInto("tag")
      .values({
        name: "quay-wrote-tag",
        repository_id: repo,
        manifest_id: null,
        lifetime_start_ms: 1,
        lifetime_end_ms: 1700000000000,
        tag_kind_id: kind.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.quayTagRow = quayTag.id;

    // A manifest row Quay wrote for a stored tag manifest before linking it: reused, never rewritten.
    const prewrittenJson = buildSchema1({
      name: "devtable/simple",
      tag: "prewritten",
      layers: [{ blobSum: blobSum("stored/0"), v1Compatibility: v1Json(v1Id("stored/0"), null) }],
    });
    ids.prewritten = await f.tag(repo, "prewritten", storedChain[0]!.id);
    await f.tagManifest(ids.prewritten, prewrittenJson, "sha256:p");
    const mediaType = await t.db
      .selectFrom("mediatype")
      .select("id")
      .where("name", "=", MEDIA_TYPES.schema1)
      .executeTakeFirstOrThrow();
    const prewritten = await t.db
      .insertInto("manifest")
      .values({
        repository_id: repo,
        digest: sha256Digest(prewrittenJson),
        media_type_id: mediaType.id,
        manifest_bytes: "quay's own bytes",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.prewrittenManifest = prewritten.id;

    // Two tags with one payload (a dead and an alive `twin`): one manifest row, both tag manifests hold its bytes.
    const twin = await f.chain(repo, "twin", [{}]);
    ids.twinOld = await f.tag(repo, "twin", twin[0]!.id, { start: 1400000000, end: 1450000000 });
    ids.twinNew = await f.tag(repo, "twin", twin[0]!.id, { start: 1450000000 });

    // Two layers over the same blob (the empty layer, with a storage row each): one manifestblob row.
    const empty = await f.chain(repo, "empty", [
      { checksum: blobSum("empty") },
      { checksum: blobSum("empty") },
      {},
    ]);
    ids.sharedBlob = await f.tag(repo, "shared-blob", empty[2]!.id);
    ids.sharedBlobBaseStorage = empty[0]!.storageId!;

    const result = await runBatch(t.db, signer, { lo: 0, hi: 1_000_000 });
    results = new Map(result.results.map((r) => [r.repositoryTagId, r]));
  });

  after(async () => {
    await signer?.close();
    await t?.drop();
  });

  const outcome = (name: string) => {
    const r = results.get(ids[name] as number);
    assert.ok(r, `no result for ${name}`);
    return r;
  };

  async function mappedRows(repositoryTagId: number) {
    const row = await t.db
      .selectFrom("tagtorepositorytag as m")
      .innerJoin("tag", "tag.id", "m.tag_id")
      .leftJoin("manifest", "manifest.id", "tag.manifest_id")
      .leftJoin("mediatype", "mediatype.id", "manifest.media_type_id")
      .select([
        "tag.id as tagId",
        "tag.name",
        "tag.lifetime_start_ms",
        "tag.lifetime_end_ms",
        "tag.reversion",
        "tag.hidden",
        "manifest.id as manifestId",
        "manifest.digest",
        "manifest.manifest_bytes",
        "mediatype.name as mediaType",
      ])
      .where("m.repository_tag_id", "=", repositoryTagId)
      .executeTakeFirstOrThrow();
    const tagManifest = await t.db
      .selectFrom("tagmanifest")
      .leftJoin("tagmanifesttomanifest as l", "l.tag_manifest_id", "tagmanifest.id")
      .select(["tagmanifest.id", "tagmanifest.digest", "tagmanifest.json_data", "l.manifest_id", "l.broken"])
      .where("tagmanifest.tag_id", "=", repositoryTagId)
      .executeTakeFirstOrThrow();
    const blobs = await t.db
      .selectFrom("manifestblob")
      .select("blob_id")
      .where("manifest_id", "=", row.manifestId!)
      .execute();
    const legacy = await t.db
      .selectFrom("manifestlegacyimage")
      .select("image_id")
      .where("manifest_id", "=", row.manifestId!)
      .execute();
    return { ...row, tagManifest, blobs: blobs.map((b) => b.blob_id), legacy: legacy.map((l) => l.image_id) };
  }

  async function assertPullable(bytes: string, digest: string) {
    const parsed = parseSchema1(bytes);
    assert.equal(parsed.digest, digest);
    assert.equal(parsed.mediaType, MEDIA_TYPES.schema1Signed);
    assert.equal((await verifySchema1Signatures(parsed)).status, "valid");
    assert.deepEqual(pullCheck(parsed), []);
    return parsed;
  }

  async function assertPlaceholder(name: string, reason: string) {
    const r = outcome(name);
    assert.equal(r.outcome, "backfilled_broken");
    assert.equal(r.reason, reason);
    const rows = await mappedRows(r.repositoryTagId);
    assert.equal(rows.digest, `BROKEN-${r.repositoryTagId}`);
    assert.equal(rows.manifest_bytes, "{}");
    assert.equal(rows.mediaType, MEDIA_TYPES.schema1Signed);
    assert.deepEqual(rows.blobs, []);
    assert.equal(rows.tagManifest.broken, true);
    assert.equal(rows.tagManifest.manifest_id, rows.manifestId);
    return rows;
  }

  test("a clean chain: generated, signed, pullable, every row of the mapping", async () => {
    const r = outcome("clean");
    assert.equal(r.outcome, "backfilled");
    assert.equal(r.reason, null);
    assert.equal(r.repository, "devtable/simple");
    const rows = await mappedRows(r.repositoryTagId);
    const parsed = await assertPullable(rows.manifest_bytes!, rows.digest!);
    assert.equal(parsed.name, "devtable/simple");
    assert.equal(parsed.tag, "latest");
    assert.equal(rows.digest, r.manifestDigest);
    assert.equal(rows.tagManifest.json_data, rows.manifest_bytes, "tagmanifest holds the signed bytes");
    assert.equal(rows.tagManifest.digest, rows.digest);
    assert.equal(rows.tagManifest.broken, false);
    assert.equal(rows.blobs.length, 2);
    assert.deepEqual(rows.legacy, [leafImage.clean]);
    assert.equal(rows.lifetime_start_ms, 1500000000000);
    assert.equal(rows.lifetime_end_ms, null);
    assert.equal(rows.hidden, false);
    assert.equal(rows.reversion, false);
    assert.match(parsed.signatures[0]!.protected, /^[A-Za-z0-9_-]+$/);
    const header = JSON.parse(Buffer.from(parsed.signatures[0]!.protected, "base64url").toString()) as {
      time: string;
    };
    assert.equal(header.time, "2017-07-14T02:40:00Z", "signing time is the tag's start");
  });

  test("a dead tag keeps lifetimes in ms (0 stays 0) and reversion", async () => {
    const rows = await mappedRows(ids.dead!);
    assert.equal(rows.lifetime_start_ms, 0);
    assert.equal(rows.lifetime_end_ms, 1600000000000);
    assert.equal(rows.reversion, true);
    await assertPullable(rows.manifest_bytes!, rows.digest!);
  });

  test("the library namespace names the manifest by the repository alone", async () => {
    const rows = await mappedRows(ids.library!);
    assert.equal((await assertPullable(rows.manifest_bytes!, rows.digest!)).name, "base");
  });

  test("broken chains get Quay's placeholder with a reason", async () => {
    const missing = await assertPlaceholder("missingParent", "missing_parent");
    assert.deepEqual(missing.legacy, [leafImage.missingParent], "placeholder links the tag's own image");
    assert.equal(missing.tagManifest.json_data, "{}");
    assert.equal(missing.tagManifest.digest, `BROKEN-${ids.missingParent}`);
    await assertPlaceholder("uploading", "uploading_storage");
    await assertPlaceholder("nullStorage", "null_storage");
    await assertPlaceholder("missingChecksum", "missing_checksum");
    await assertPlaceholder("invalidMetadata", "invalid_metadata");
    await assertPlaceholder("tooLarge", "manifest_too_large");
  });

  test("a tarsum checksum is mapped, not broken, and recorded", async () => {
    const r = outcome("tarsum");
    assert.equal(r.outcome, "backfilled");
    assert.equal(r.reason, "tarsum_checksum");
    const rows = await mappedRows(r.repositoryTagId);
    assert.equal(rows.tagManifest.broken, false);
    assert.match(rows.manifest_bytes!, /tarsum\+sha256/);
  });

  test("invalid v1 ids are rewritten and their image rows synthesised", async () => {
    for (const name of ["rewriteShort", "rewriteCollision"]) {
      const r = outcome(name);
      assert.equal(r.outcome, "backfilled", name);
      assert.ok(r.rewrittenIds >= 1, name);
      const rows = await mappedRows(r.repositoryTagId);
      const parsed = await assertPullable(rows.manifest_bytes!, rows.digest!);
      const leafId = parsed.layers[0]!.v1.get("id") as string;
      const [legacyId] = rows.legacy;
      const leaf = await t.db
        .selectFrom("image")
        .selectAll()
        .where("id", "=", legacyId!)
        .executeTakeFirstOrThrow();
      assert.equal(leaf.docker_image_id, leafId, `${name}: legacy image is the rewritten leaf`);
      assert.equal(leaf.repository_id, repo);
      assert.equal(leaf.v1_json_metadata, parsed.layers[0]!.v1Compatibility);
      // ancestors = parent's ancestors + parent's id + "/"
      const parent = await t.db
        .selectFrom("image")
        .selectAll()
        .where("id", "=", leaf.parent_id!)
        .executeTakeFirstOrThrow();
      assert.equal(leaf.ancestors, `${parent.ancestors}${parent.id}/`);
      assert.equal(parent.docker_image_id, parsed.layers[1]!.v1.get("id"));
    }
    const collision = await mappedRows(ids.rewriteCollision!);
    const parsed = parseSchema1(collision.manifest_bytes!);
    assert.notEqual(parsed.layers[1]!.v1.get("id"), v1Id("taken"), "the colliding base id is replaced");
  });

  test("a stored tag manifest is reused byte for byte, digest recomputed, labels carried", async () => {
    const r = outcome("stored");
    assert.equal(r.outcome, "backfilled");
    const rows = await mappedRows(r.repositoryTagId);
    assert.equal(rows.manifest_bytes, rows.tagManifest.json_data);
    assert.equal(rows.digest, parseSchema1(rows.manifest_bytes).digest);
    assert.notEqual(rows.digest, "sha256:whatever-quay-wrote");
    assert.equal(rows.mediaType, MEDIA_TYPES.schema1Signed);
    assert.equal(rows.blobs.length, 2);
    const labels = await t.db
      .selectFrom("manifestlabel")
      .select("label_id")
      .where("manifest_id", "=", rows.manifestId!)
      .execute();
    assert.equal(labels.length, 2);
    const maps = await t.db
      .selectFrom("tagmanifestlabelmap")
      .selectAll()
      .where("tag_manifest_id", "=", rows.tagManifest.id)
      .execute();
    assert.equal(maps.length, 2);
    assert.ok(maps.every((m) => m.manifest_id === rows.manifestId && m.manifest_label_id !== null));
  });

  test("stored manifests: blob from the repository, blob nowhere, unparseable", async () => {
    const fallback = await mappedRows(ids.repoFallback!);
    assert.equal(outcome("repoFallback").outcome, "backfilled");
    assert.equal(
      outcome("repoFallback").reason,
      "stored_not_pullable",
      "kept as stored, but Docker wants it signed",
    );
    assert.match(outcome("repoFallback").detail ?? "", /unsigned/);
    assert.equal(fallback.mediaType, MEDIA_TYPES.schema1, "unsigned stored manifest");
    assert.equal(fallback.blobs.length, 1);

    const missing = outcome("missingBlob");
    assert.equal(missing.outcome, "backfilled_broken");
    assert.equal(missing.reason, "missing_blob");
    const missingRows = await mappedRows(ids.missingBlob!);
    assert.equal(missingRows.tagManifest.broken, true);
    assert.equal(missingRows.manifest_bytes, missingRows.tagManifest.json_data);
    assert.deepEqual(missingRows.blobs, []);

    // The placeholder, not the stored digest: corrupt bytes must not take a digest other tags reuse.
    const unparseable = await assertPlaceholder("unparseable", "unparseable_stored_manifest");
    assert.equal(
      unparseable.tagManifest.json_data,
      '{"schemaVersion": 1, broken',
      "the stored row is untouched",
    );
    assert.equal(unparseable.tagManifest.digest, "sha256:z");
  });

  test("a corrupt stored manifest does not poison a valid one with the same recorded digest", async () => {
    const valid = await mappedRows(ids.sameDigestValid!);
    assert.equal(valid.manifest_bytes, valid.tagManifest.json_data);
    assert.equal(valid.tagManifest.broken, false);
    const corrupt = await mappedRows(ids.corruptSameDigest!);
    assert.equal(corrupt.digest, `BROKEN-${ids.corruptSameDigest}`);
    assert.notEqual(corrupt.manifestId, valid.manifestId);
  });

  test("an existing manifest row is reused as it is: bytes untouched, no blobs added", async () => {
    assert.equal(outcome("prewritten").outcome, "backfilled");
    const rows = await mappedRows(ids.prewritten!);
    assert.equal(rows.manifestId, ids.prewrittenManifest);
    assert.equal(rows.manifest_bytes, "quay's own bytes");
    assert.deepEqual(rows.blobs, []);
    assert.deepEqual(rows.legacy, []);
  });

  test("tags with one payload share one manifest row, and their tag manifests hold its bytes", async () => {
    const old = await mappedRows(ids.twinOld!);
    const alive = await mappedRows(ids.twinNew!);
    assert.equal(old.manifestId, alive.manifestId);
    assert.equal(old.tagManifest.json_data, old.manifest_bytes);
    assert.equal(alive.tagManifest.json_data, alive.manifest_bytes);
    await assertPullable(alive.manifest_bytes!, alive.digest!);
    const header = JSON.parse(
      Buffer.from(parseSchema1(alive.manifest_bytes!).signatures[0]!.protected, "base64url").toString(),
    ) as { time: string };
    assert.equal(header.time, "2014-05-13T16:53:20Z", "the lower tag id signs the shared bytes");
  });

  test("one manifestblob per distinct blob, the base-most storage as Quay picks it", async () => {
    const rows = await mappedRows(ids.sharedBlob!);
    assert.equal(rows.blobs.length, 2);
    assert.ok(rows.blobs.includes(ids.sharedBlobBaseStorage!));
    await assertPullable(rows.manifest_bytes!, rows.digest!);
  });

  test("hidden tags are skipped and get no rows", async () => {
    assert.equal(outcome("hidden").outcome, "skipped");
    assert.equal(outcome("hidden").reason, "hidden");
    const mapped = await t.db
      .selectFrom("tagtorepositorytag")
      .select("id")
      .where("repository_tag_id", "=", ids.hidden!)
      .execute();
    assert.equal(mapped.length, 0);
  });

  test("a tag row Quay wrote without a mapping is reused, not duplicated", async () => {
    const r = outcome("quayTag");
    assert.equal(r.outcome, "backfilled");
    assert.match(r.detail ?? "", /reused tag row/);
    const rows = await mappedRows(ids.quayTag!);
    assert.equal(rows.tagId, ids.quayTagRow);
    const count = await t.db.selectFrom("tag").select("id").where("name", "=", "quay-wrote-tag").execute();
    assert.equal(count.length, 1);
  });

  test("outcomes are recorded and nothing is orphaned", async () => {
    const outcomes = await t.db.selectFrom("backfill.tag_outcome").selectAll().execute();
    assert.equal(outcomes.length, results.size);
    const byId = new Map(outcomes.map((o) => [o.repository_tag_id, o]));
    assert.equal(byId.get(ids.missingParent!)?.reason, "missing_parent");
    assert.equal(byId.get(ids.rewriteShort!)?.rewritten_ids, outcome("rewriteShort").rewrittenIds);
    const problems = await integrityProblems(t.db);
    assert.deepEqual(problems, {
      tagWithoutMapping: 0,
      manifestUnused: 0,
      tagManifestUnlinked: 0,
      duplicateTagKey: 0,
      duplicateLabelMap: 0,
      unmappedCandidate: 0,
    });
    const mapped = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tagtorepositorytag`.execute(t.db);
    assert.equal(mapped.rows[0]?.n, results.size - 1, "every tag but the hidden one");
  });
});
