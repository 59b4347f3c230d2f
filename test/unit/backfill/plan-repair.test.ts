import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ManifestParts } from "../../../src/backfill/store-read-rows.js";
import type { MappedState } from "../../../src/backfill/store-read-rows.js";
import { planRepair } from "../../../src/backfill/plan-repair.js";
import type { RepairInput } from "../../../src/backfill/repair-plan.js";
import type { MapPlan } from "../../../src/backfill/tag-plan.js";
import { buildSchema1 } from "../../../src/manifest/build-schema1.js";
import { MEDIA_TYPES } from "../../../src/manifest/media-types.js";
import { schema1Digest } from "../../../src/manifest/schema1-digest.js";
import { generateKeyPairSync } from "node:crypto";
import { placeholderManifest } from "../../../src/backfill/plan-stored-tag.js";
import { signSchema1 } from "../../../src/manifest/sign-schema1.js";
import { createSigner } from "../../../src/manifest/signer.js";
import { tag } from "./planner-data.js";

const REPO = 1;
const json = buildSchema1({
  name: "devtable/simple",
  tag: "latest",
  layers: [{ blobSum: `sha256:${"b".repeat(64)}`, v1Compatibility: JSON.stringify({ id: "c".repeat(64) }) }],
});
const digest = schema1Digest(json);
const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;

/** A stored-manifest plan (as load-batch's `recomputable` view makes it) for repositorytag 10. */
function plan(overrides: Partial<MapPlan> = {}, end: number | null = null): MapPlan {
  return {
    kind: "map",
    tag: tag({ mapped: true, lifetimeEndTs: end }),
    tagManifest: { kind: "existing", id: 50 },
    manifest: {
      kind: "plan",
      digest,
      bytes: json,
      mediaType: MEDIA_TYPES.schema1,
      blobIds: [7],
      legacyImage: { kind: "image", imageId: 3, ancestors: "/" },
    },
    broken: false,
    reason: null,
    detail: null,
    images: [],
    labels: [],
    rewrittenIds: 0,
    ...overrides,
  };
}

function state(
  manifest: Partial<NonNullable<MappedState["manifest"]>> = {},
  tagManifestId = 77,
): MappedState {
  const m = {
    id: 40,
    repositoryId: REPO,
    digest,
    mediaType: MEDIA_TYPES.schema1,
    bytes: json,
    otherUsers: 0,
    ...manifest,
  };
  return {
    repositoryTagId: 10,
    tag: { id: 90, manifestId: m.id, manifestDigest: m.digest },
    tagManifest: { id: tagManifestId, digest, json, labelMaps: 0 },
    link: { id: 60, manifestId: m.id, broken: false },
    manifest: m,
  };
}

function parts(id: number, d: string, p: Partial<ManifestParts> = {}): [string, ManifestParts] {
  return [
    `${REPO}:${d}`,
    {
      id,
      repositoryId: REPO,
      digest: d,
      bytes: json,
      blobs: [{ storageId: 7, checksum: "sha256:b" }],
      legacyImageId: 3,
      ...p,
    },
  ];
}

function input(p: MapPlan, s: MappedState, manifests: [string, ManifestParts][]): RepairInput {
  return {
    plan: p,
    state: s,
    manifests: new Map(manifests),
    checksums: new Map([[7, "sha256:b"]]),
    existingImages: new Set(),
    now: new Date("2024-01-01T00:00:00Z"),
  };
}

const NOW_S = Date.parse("2024-01-01T00:00:00Z") / 1000;

describe("planRepair", () => {
  test("a mapping that is right is unchanged", () => {
    assert.deepEqual(planRepair(input(plan(), state(), [parts(40, digest)])), { kind: "unchanged" });
  });

  test("a placeholder whose data is fixed moves to the real manifest; the placeholder is to be deleted", () => {
    const placeholder = { id: 41, digest: "BROKEN-10", mediaType: MEDIA_TYPES.schema1Signed };
    const s = state(placeholder);
    s.link = { id: 60, manifestId: 41, broken: true };
    const generated = plan({ tagManifest: { kind: "create" } });
    const r = planRepair(
      input(generated, { ...s, tagManifest: { id: 77, digest: "BROKEN-10", json: "{}", labelMaps: 0 } }, [
        parts(41, "BROKEN-10"),
      ]),
    );
    assert.equal(r.kind, "repair");
    if (r.kind !== "repair") return;
    assert.deepEqual(r.actions.target, { kind: "create", manifest: generated.manifest });
    assert.deepEqual(r.actions.tagManifest, { id: 77, oldDigest: "BROKEN-10" });
    assert.deepEqual(r.actions.link, { id: 60, oldManifestId: 41, repoint: true, broken: false });
    assert.deepEqual(r.actions.tag, { id: 90, oldManifestId: 41 });
    assert.equal(r.actions.deletePlaceholder, 41);
    assert.deepEqual(r.actions.addBlobIds, [7]);
    const line = (table: string, column: string) =>
      r.changes.find((c) => c.table === table && c.column === column);
    assert.equal(line("tagmanifest", "digest")?.old, "BROKEN-10");
    assert.equal(line("tagmanifest", "digest")?.new, digest);
    assert.match(
      line("tagmanifest", "json_data")?.new ?? "",
      new RegExp(`^${json.length} characters of the new manifest \\(signed when written\\)$`),
    );
    assert.equal(line("tagmanifesttomanifest", "manifest_id")?.new, `new (${digest})`);
  });

  test("an existing manifest row of the new digest is reused, its blob set completed by checksum", () => {
    const s = state({ id: 41, digest: "BROKEN-10" });
    const r = planRepair(
      input(plan({ tagManifest: { kind: "create" } }), s, [
        parts(55, digest, { blobs: [{ storageId: 8, checksum: "sha256:b" }], legacyImageId: null }),
      ]),
    );
    assert.equal(r.kind, "repair");
    if (r.kind !== "repair") return;
    assert.deepEqual(r.actions.target, { kind: "existing", id: 55, bytes: json });
    assert.deepEqual(r.actions.addBlobIds, [], "storage 8 already holds checksum sha256:b");
    assert.deepEqual(r.actions.addLegacyImage, { kind: "image", imageId: 3, ancestors: "/" });
  });

  test("another digest under a live tag is refused, under a dead one too (with its own code)", () => {
    const s = state({ digest: "sha256:other" });
    const live = planRepair(input(plan(), s, [parts(40, "sha256:other")]));
    assert.equal(live.kind === "refused" && live.code, "would_change_digest_under_live_tag");
    const dead = planRepair(input(plan({}, NOW_S - 1), s, []));
    assert.equal(dead.kind === "refused" && dead.code, "would_change_digest");
    const future = planRepair(input(plan({}, NOW_S + 3600), s, []));
    assert.equal(
      future.kind === "refused" && future.code,
      "would_change_digest_under_live_tag",
      "ends later: alive",
    );
  });

  test("a broken plan never replaces a real manifest", () => {
    const broken = plan({
      broken: true,
      manifest: {
        ...(plan().manifest as Extract<MapPlan["manifest"], { kind: "plan" }>),
        digest: "BROKEN-10",
      },
    });
    const r = planRepair(input(broken, state(), [parts(40, digest)]));
    assert.equal(r.kind === "refused" && r.code, "would_change_digest_under_live_tag");
  });

  test("bytes that differ: replaced when the row is the tag's alone or invalid; kept when shared and valid", async () => {
    const signedOther = await signSchema1(json, createSigner(ecKey), new Date("2020-01-01T00:00:00Z"));
    assert.equal(schema1Digest(signedOther), digest, "the same payload, signed: the same digest");
    const alone = planRepair(input(plan(), state({ bytes: "garbage" }), [parts(40, digest)]));
    assert.equal(alone.kind === "repair" && alone.actions.setBytes?.bytes, json);
    const sharedInvalid = planRepair(
      input(plan(), state({ bytes: "garbage", otherUsers: 2 }), [parts(40, digest)]),
    );
    assert.equal(sharedInvalid.kind === "repair" && sharedInvalid.actions.setBytes?.bytes, json);
    const sharedValid = planRepair(
      input(plan(), state({ bytes: signedOther, otherUsers: 1 }), [parts(40, digest)]),
    );
    assert.equal(sharedValid.kind, "refused");
    assert.equal(sharedValid.kind === "refused" && sharedValid.code, "shared_manifest_bytes");
  });

  test("a placeholder standing in for unreadable stored bytes is right as {}; the stored text never moves into it", () => {
    const stored = '{"schemaVersion": 1, cut';
    const placeholderPlan = plan({
      broken: true,
      reason: "unparseable_stored_manifest",
      manifest: placeholderManifest(10, { kind: "image", imageId: 3, ancestors: "/" }),
    });
    const mapped = (bytes: string): MappedState => {
      const s = state({ id: 41, digest: "BROKEN-10", mediaType: MEDIA_TYPES.schema1Signed, bytes });
      s.tagManifest = { id: 77, digest: "sha256:c", json: stored, labelMaps: 0 };
      s.link = { id: 60, manifestId: 41, broken: true };
      return s;
    };
    const placeholderRow = parts(41, "BROKEN-10", { bytes: "{}", blobs: [] });
    assert.deepEqual(planRepair(input(placeholderPlan, mapped("{}"), [placeholderRow])), {
      kind: "unchanged",
    });
    // A placeholder an earlier repair filled with the stored text is set back to {}.
    const damaged = planRepair(input(placeholderPlan, mapped(stored), [placeholderRow]));
    assert.equal(damaged.kind, "repair");
    if (damaged.kind !== "repair") return;
    assert.deepEqual(damaged.actions.setBytes, { bytes: "{}", mediaType: MEDIA_TYPES.schema1Signed });
    assert.deepEqual(
      damaged.changes.map((c) => [`${c.table}.${c.column}`, c.row, c.new]),
      [["manifest.manifest_bytes", "41", '"{}"']],
    );
    assert.match(damaged.changes[0]?.old ?? "", new RegExp(`^${stored.length} characters sha256:`));
  });

  test("a broken flag is corrected, a missing legacy image and blob are added, nothing else", () => {
    const s = state();
    s.link = { id: 60, manifestId: 40, broken: true };
    const r = planRepair(input(plan(), s, [parts(40, digest, { blobs: [], legacyImageId: null })]));
    assert.equal(r.kind, "repair");
    if (r.kind !== "repair") return;
    assert.deepEqual(
      r.changes.map((c) => `${c.table}.${c.column}`),
      ["manifestblob.blob_id", "manifestlegacyimage.image_id", "tagmanifesttomanifest.broken"],
    );
    assert.equal(r.actions.deletePlaceholder, null);
    assert.equal(r.actions.tag, null);
  });

  test("a tag row pointing at another real manifest, or a mapping with rows missing, is refused", () => {
    const s = state();
    s.tag = { id: 90, manifestId: 99, manifestDigest: "sha256:elsewhere" };
    const r = planRepair(input(plan(), s, [parts(40, digest)]));
    assert.equal(r.kind === "refused" && r.code, "would_change_digest_under_live_tag");
    const missing = planRepair(input(plan(), { ...state(), link: null }, []));
    assert.equal(missing.kind === "refused" && missing.code, "inconsistent_mapping");
  });
});
