import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildSchema1 } from "../../../src/manifest/build-schema1.js";
import { signSchema1 } from "../../../src/manifest/sign-schema1.js";
import { createSigner } from "../../../src/manifest/signer.js";
import { checkMappedTag, type TagCheckInputs } from "../../../src/verify/check-mapped-tag.js";
import { inspectManifest, type ManifestFacts } from "../../../src/verify/inspect-manifest.js";
import type { ManifestBlob, MappedTag } from "../../../src/verify/mapped-tag.js";
import { mappedTagFixture } from "./mapped-tag-fixture.js";
import { ecKey, rsaKey } from "../manifest/test-keys.js";
import { readFixture } from "../manifest/vectors.js";

const ID = (c: string) => c.repeat(64);
const BASE = ID("b");
const LEAF = ID("a");
const BASE_SUM = `sha256:${ID("1")}`;
const LEAF_SUM = `sha256:${ID("2")}`;
const ours = createSigner(rsaKey());

function layers(cmd = `["sh"]`) {
  return [
    {
      blobSum: LEAF_SUM,
      v1Compatibility: `{"id":"${LEAF}","parent":"${BASE}","container_config":{"Cmd":${cmd}}}`,
    },
    { blobSum: BASE_SUM, v1Compatibility: `{"id":"${BASE}"}` },
  ];
}

async function generated(cmd?: string, signer = ours): Promise<string> {
  const payload = buildSchema1({ name: "ns/repo", tag: "latest", layers: layers(cmd) });
  return signSchema1(payload, signer, new Date(0));
}

function mapped(facts: ManifestFacts, overrides: Partial<MappedTag> = {}): MappedTag {
  return mappedTagFixture(facts, LEAF, overrides);
}

const blob = (blobId: number, checksum: string, extra: Partial<ManifestBlob> = {}): ManifestBlob => ({
  manifestId: 5,
  blobId,
  repositoryId: 1,
  checksum,
  uploading: false,
  inRepository: true,
  ...extra,
});

function inputs(bytes: string, facts: ManifestFacts, extra: Partial<TagCheckInputs> = {}): TagCheckInputs {
  return {
    manifestBytes: bytes,
    manifestFacts: facts,
    blobs: [blob(100, LEAF_SUM), blob(101, BASE_SUM)],
    chain: [
      { storageId: 100, checksum: LEAF_SUM },
      { storageId: 101, checksum: BASE_SUM },
    ],
    ourKeyId: ours.kid,
    ...extra,
  };
}

async function check(bytes: string, overrides: Partial<MappedTag> = {}, extra: Partial<TagCheckInputs> = {}) {
  const facts = await inspectManifest(bytes);
  return checkMappedTag(mapped(facts, overrides), inputs(bytes, facts, extra)).map(
    (p) => `${p.code}: ${p.detail}`,
  );
}

describe("checkMappedTag", () => {
  test("a generated, signed, complete mapping has no problem", async () => {
    assert.deepEqual(await check(await generated()), []);
  });

  test("pull-check failures: ours fail, tarsum ones and stored ones are notices", async () => {
    const bad = await generated(`"sh -c true"`);
    assert.deepEqual(await check(bad), ["pull_check_failed: invalid_cmd (layer 0)"]);
    assert.deepEqual(
      await check(bad, { outcome: { outcome: "backfilled", reason: "tarsum_checksum", detail: null } }),
      ["tarsum_not_pullable: invalid_cmd (layer 0)"],
    );
    // The run recorded the data clients refuse (one rulebook, pull-rule.ts): a notice.
    assert.deepEqual(
      await check(bad, { outcome: { outcome: "backfilled", reason: "not_pullable", detail: null } }),
      ["generated_not_pullable: invalid_cmd (layer 0)"],
    );
    // No outcome of ours: a manifest the tag already had.
    assert.deepEqual(await check(bad, { outcome: null }), ["stored_not_pullable: invalid_cmd (layer 0)"]);
    // Signed by another key (Quay's): not ours either.
    const quays = await generated(`"sh -c true"`, createSigner(ecKey()));
    assert.deepEqual(await check(quays), ["stored_not_pullable: invalid_cmd (layer 0)"]);
  });

  test("a client-written manifest (Docker layout) is never counted as generated", async () => {
    const bytes = readFixture("quay-validated_manifest.json");
    const facts = await inspectManifest(bytes);
    assert.ok(facts.readable);
    assert.equal(facts.builderLayout, false);
    assert.equal(facts.signatures.status, "valid");
  });

  test("the legacy image may be the rewritten leaf (digest-history id)", async () => {
    const bytes = await generated();
    const facts = await inspectManifest(bytes);
    assert.ok(facts.readable && facts.rewrittenLeafId);
    const rewritten = { imageId: 30, dockerImageId: facts.rewrittenLeafId, repositoryId: 1 };
    assert.deepEqual(await check(bytes, { legacyImage: rewritten }), []);
    assert.deepEqual(await check(bytes, { legacyImage: { ...rewritten, dockerImageId: BASE } }), [
      `legacy_image_mismatch: image 30 has docker id ${BASE}, the manifest's leaf is ${LEAF}`,
    ]);
    assert.deepEqual(await check(bytes, { legacyImage: { ...rewritten, repositoryId: 2 } }), [
      "legacy_image_mismatch: image 30 is in repository 2, tag in 1",
    ]);
  });

  test("blobs: repository fallback only from non-uploading storages; one storage per digest", async () => {
    const bytes = await generated();
    const chain = [{ storageId: 100, checksum: LEAF_SUM }];
    assert.deepEqual(await check(bytes, {}, { chain }), []);
    assert.deepEqual(
      await check(
        bytes,
        {},
        { chain, blobs: [blob(100, LEAF_SUM), blob(101, BASE_SUM, { uploading: true })] },
      ),
      [
        `blob_unexpected: storage 101 for ${BASE_SUM} is neither in the tag's chain nor a non-uploading storage of the repository`,
      ],
    );
    assert.deepEqual(
      await check(bytes, {}, { blobs: [blob(100, LEAF_SUM), blob(101, BASE_SUM), blob(102, BASE_SUM)] }),
      [`blob_unexpected: 2 storages (101, 102) for ${BASE_SUM}`],
    );
    // A broken mapping's blobs are not checked (docs/domain-rules.md: missing_blob lets it miss some).
    assert.deepEqual(await check(bytes, { mapping: { manifestId: 5, broken: true } }, { blobs: [] }), []);
  });

  test("tag lifetimes: null stays null, 0 stays 0, seconds become milliseconds", async () => {
    const bytes = await generated();
    const facts = await inspectManifest(bytes);
    const base = mapped(facts);
    const withEnd = (ts: number | null, ms: number | null) =>
      checkMappedTag(
        {
          ...base,
          legacy: { ...base.legacy, lifetimeEndTs: ts },
          tag: base.tag && { ...base.tag, lifetimeEndMs: ms },
        },
        inputs(bytes, facts),
      ).map((p) => p.detail);
    assert.deepEqual(withEnd(0, 0), []);
    assert.deepEqual(withEnd(0, null), ["lifetime_end_ms null, expected 0"]);
    assert.deepEqual(withEnd(null, 0), ["lifetime_end_ms 0, expected null"]);
    assert.deepEqual(withEnd(20, 20_000), []);
  });

  test("placeholders: BROKEN-<id>, {} body, signed-schema1 type, no blobs, broken", async () => {
    const facts = await inspectManifest("{}");
    assert.equal(facts.readable, false);
    const placeholder: Partial<MappedTag> = {
      tagManifest: { id: 4, digest: "BROKEN-7", bytesEqualManifest: true, jsonDataLength: 2 },
      mapping: { manifestId: 5, broken: true },
      manifest: {
        id: 5,
        repositoryId: 1,
        digest: "BROKEN-7",
        mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws",
        bytesLength: 2,
      },
      legacyImage: null,
    };
    const run = (over: Partial<MappedTag>, blobs: ManifestBlob[] = []) =>
      checkMappedTag(mapped(facts, { ...placeholder, ...over }), inputs("{}", facts, { blobs })).map(
        (p) => p.code,
      );
    assert.deepEqual(run({}), []);
    assert.deepEqual(run({}, [blob(100, LEAF_SUM)]), ["placeholder_invalid"]);
    assert.deepEqual(
      run({
        tagManifest: { id: 4, digest: "BROKEN-8", bytesEqualManifest: true, jsonDataLength: 2 },
        manifest: { ...placeholder.manifest!, digest: "BROKEN-8" },
      }),
      ["placeholder_invalid"],
    );
    // An unreadable manifest that is not a placeholder is a problem, broken or not.
    const garbage = checkMappedTag(mapped(facts), inputs("{", facts)).map((p) => p.code);
    assert.deepEqual(garbage, ["manifest_unparseable"]);
  });

  test("a placeholder for an unreadable stored tagmanifest: accepted only when json_data really is unreadable", async () => {
    const facts = await inspectManifest("{}");
    const over: Partial<MappedTag> = {
      // The core keeps the stored row (its digest and bytes) and maps it to BROKEN-<id>.
      tagManifest: { id: 4, digest: `sha256:${ID("f")}`, bytesEqualManifest: false, jsonDataLength: 9 },
      mapping: { manifestId: 5, broken: true },
      manifest: {
        id: 5,
        repositoryId: 1,
        digest: "BROKEN-7",
        mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws",
        bytesLength: 2,
      },
      legacyImage: null,
      outcome: { outcome: "backfilled_broken", reason: "unparseable_stored_manifest", detail: null },
    };
    const run = (storedFacts: ManifestFacts | undefined) =>
      checkMappedTag(mapped(facts, over), inputs("{}", facts, { blobs: [], storedFacts })).map((p) => p.code);
    assert.deepEqual(run(await inspectManifest('{"schemaVersion": 1, "fsLa')), []);
    assert.deepEqual(run(await inspectManifest("")), []);
    assert.deepEqual(run(await inspectManifest(await generated())), ["placeholder_hides_manifest"]);
    assert.deepEqual(run(undefined), ["placeholder_hides_manifest"]);
  });

  test("bytes that differ under one payload digest are a notice; under another digest a failure", async () => {
    const signed = await generated();
    const unsigned = buildSchema1({ name: "ns/repo", tag: "latest", layers: layers() });
    const other = buildSchema1({ name: "ns/repo", tag: "other", layers: layers() });
    const facts = await inspectManifest(signed);
    assert.ok(facts.readable);
    const differing = (digest: string): Partial<MappedTag> => ({
      tagManifest: { id: 4, digest, bytesEqualManifest: false, jsonDataLength: unsigned.length },
    });
    const run = async (json: string, digest = facts.digest) =>
      checkMappedTag(
        mapped(facts, differing(digest)),
        inputs(signed, facts, { storedFacts: await inspectManifest(json) }),
      ).map((p) => p.code);
    assert.deepEqual(await run(unsigned), ["manifest_bytes_shared_digest"]);
    assert.deepEqual(await run(other), ["manifest_bytes_mismatch"]);
    assert.deepEqual(await run("not json"), ["manifest_bytes_mismatch"]);
    // The recorded tagmanifest digest is checked on its own, shared payload or not.
    assert.deepEqual(await run(unsigned, `sha256:${ID("e")}`), [
      "manifest_bytes_shared_digest",
      "tagmanifest_digest_mismatch",
    ]);
  });

  test("a stored manifest the run kept as it is is never judged as generated", async () => {
    const unsigned = buildSchema1({ name: "ns/repo", tag: "latest", layers: layers() });
    const stored = {
      outcome: "backfilled",
      reason: "stored_not_pullable",
      detail: "stored manifest kept as it is; clients would refuse it: unsigned",
    };
    assert.deepEqual(await check(unsigned, { outcome: stored }), ["stored_not_pullable: unsigned"]);
    const ours = {
      outcome: "backfilled",
      reason: "not_pullable",
      detail: "clients would refuse it: unsigned",
    };
    assert.deepEqual(await check(unsigned, { outcome: ours }), ["pull_check_failed: unsigned"]);
  });

  test("missing rows stop the check at the first gap", async () => {
    const facts = await inspectManifest(await generated());
    const codes = (over: Partial<MappedTag>) =>
      checkMappedTag(mapped(facts, over), inputs("", facts)).map((p) => p.code);
    assert.deepEqual(codes({ tag: null, tagManifest: null }), ["tag_missing", "tagmanifest_missing"]);
    assert.deepEqual(codes({ mapping: null }), ["mapping_missing"]);
  });
});
