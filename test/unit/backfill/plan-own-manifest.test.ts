import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import type { LegacyTag } from "../../../src/backfill/batch-input.js";
import type { BatchFacts } from "../../../src/backfill/load-batch.js";
import { planBatch } from "../../../src/backfill/plan-batch.js";
import { readStoredManifest } from "../../../src/backfill/plan-stored-tag.js";
import { resolveChain } from "../../../src/backfill/resolve-chain.js";
import type { MapPlan } from "../../../src/backfill/tag-plan.js";
import { loadSigner, type Signer } from "../../../src/manifest/signer.js";
import { chainImages, image, tag } from "./planner-data.js";

const signer = loadSigner(
  generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString(),
);
const options = { libraryNamespace: "library", manifestMaxBytes: 1 << 20 };

function facts(t: LegacyTag, images = chainImages()): BatchFacts {
  const json = t.tagManifest?.json;
  return {
    tags: [t],
    resolutions: new Map([[t.id, resolveChain(1, 3, images)]]),
    stored: new Map(json === undefined ? [] : [[t.id, readStoredManifest(json)]]),
    repositoryImages: new Map(),
    repositoryBlobs: new Map(),
    labels: new Map(),
    errors: new Map(),
    unreadable: new Map(),
  };
}

async function planOne(f: BatchFacts, force: boolean, key: Signer | null = signer): Promise<MapPlan> {
  const { plans } = await planBatch(f, { ...options, signer: key ?? undefined, force });
  const plan = plans[0];
  assert.ok(plan?.kind === "map", JSON.stringify(plan));
  return plan;
}

/** What a first run wrote for the chain, then the same tag as reprocess --force plans it (mapped). */
async function firstRunThenReprocess(images = chainImages()) {
  const first = await planOne(facts(tag(), images), false);
  assert.ok(first.manifest.kind === "plan");
  const tagManifest = { id: 5, digest: first.manifest.digest, json: first.manifest.bytes };
  const again = await planOne(facts(tag({ mapped: true, tagManifest }), images), true);
  return { first, again, json: first.manifest.bytes };
}

describe("reprocess plans the tag manifest its run generated as that run did", () => {
  test("rewritten v1 ids: the legacy image is the synthesised leaf, with its image rows and detail", async () => {
    // The chain's metadata names no parents, so every layer above the base gets a new id.
    const { first, again, json } = await firstRunThenReprocess();
    assert.equal(first.rewrittenIds, 2);
    assert.ok(first.manifest.kind === "plan" && first.manifest.legacyImage.kind === "synthesized");
    assert.ok(again.manifest.kind === "plan");
    assert.deepEqual(again.manifest.legacyImage, first.manifest.legacyImage);
    assert.deepEqual(again.images, first.images);
    assert.deepEqual([again.rewrittenIds, again.reason, again.detail], [2, null, first.detail]);
    // Still the stored tag manifest's row and bytes: those are what the manifest row must hold.
    assert.equal(again.tagManifest.kind, "existing");
    assert.equal(again.manifest.bytes, json);
    assert.equal(again.manifest.digest, first.manifest.digest);
  });

  test("metadata clients refuse: the outcome stays not_pullable (not stored_not_pullable)", async () => {
    const images = chainImages();
    images.set(
      3,
      image(3, "/1/2/", { v1JsonMetadata: JSON.stringify({ id: "3".padStart(64, "0"), Size: "big" }) }),
    );
    const { first, again } = await firstRunThenReprocess(images);
    assert.equal(first.reason, "not_pullable");
    assert.deepEqual([again.reason, again.detail], [first.reason, first.detail]);
  });

  test("the generator's payload stored unsigned is stored data: stored_not_pullable, the tag's own image", async () => {
    const { first } = await firstRunThenReprocess();
    const unsigned = await planOne(facts(tag(), chainImages()), false, null);
    assert.ok(unsigned.manifest.kind === "plan" && first.manifest.kind === "plan");
    assert.equal(unsigned.manifest.digest, first.manifest.digest, "one payload");
    const tagManifest = { id: 5, digest: unsigned.manifest.digest, json: unsigned.manifest.bytes };
    const plan = await planOne(facts(tag({ mapped: true, tagManifest })), true);
    assert.ok(plan.manifest.kind === "plan");
    assert.equal(plan.reason, "stored_not_pullable");
    assert.deepEqual(plan.manifest.legacyImage, { kind: "image", imageId: 3, ancestors: "/1/2/" });
  });

  test("a stored manifest of other bytes stays stored: the tag's own image, Quay's reason", async () => {
    const { json } = await firstRunThenReprocess();
    // Another payload (another tag name) over the same chain: not what the generator makes of this tag.
    const other = json.replace('"tag": "latest"', '"tag": "other"');
    const read = readStoredManifest(other);
    assert.ok(read.ok);
    const tagManifest = { id: 5, digest: read.digest, json: other };
    const plan = await planOne(facts(tag({ mapped: true, tagManifest })), true);
    assert.ok(plan.manifest.kind === "plan");
    assert.deepEqual(plan.manifest.legacyImage, { kind: "image", imageId: 3, ancestors: "/1/2/" });
    assert.deepEqual([plan.rewrittenIds, plan.images], [0, []]);
    assert.equal(plan.reason, "stored_not_pullable", "its signature no longer covers the payload");
  });
});
