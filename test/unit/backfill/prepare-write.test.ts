import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { placeholderManifest } from "../../../src/backfill/plan-stored-tag.js";
import { prepareWrite } from "../../../src/backfill/prepare-write.js";
import type { MapPlan } from "../../../src/backfill/tag-plan.js";
import {
  planManifests,
  planSynthesizedImages,
  resolveTagManifestBytes,
} from "../../../src/backfill/write-rows.js";
import { MEDIA_TYPES } from "../../../src/manifest/media-types.js";
import { tag } from "./planner-data.js";

function plan(id: number, overrides: Partial<MapPlan> = {}, end: number | null = null): MapPlan {
  return {
    kind: "map",
    tag: tag({ id, name: `t${id}`, lifetimeEndTs: end }),
    tagManifest: { kind: "create" },
    manifest: { ...placeholderManifest(id, { kind: "image", imageId: 3, ancestors: "/" }), kind: "plan" },
    broken: true,
    reason: "missing_parent",
    detail: null,
    images: [],
    labels: [],
    rewrittenIds: 0,
    ...overrides,
  };
}
const state = (
  id: number,
  over: Partial<{ mapped: boolean; tagManifestId: number | null; linked: boolean }> = {},
) => ({
  id,
  mapped: false,
  tagManifestId: null,
  linked: false,
  ...over,
});

describe("prepareWrite", () => {
  test("mapped meanwhile: skipped; tag manifest changed: left for later", () => {
    const r = prepareWrite(
      [plan(1), plan(2), plan(3)],
      [state(1, { mapped: true }), state(2, { tagManifestId: 9 }), state(3)],
      [],
    );
    assert.deepEqual(
      r.writable.map((w) => w.plan.tag.id),
      [3],
    );
    assert.equal(r.dropped.get(1)?.reason, "already_mapped");
    assert.equal(r.dropped.get(1)?.outcome, "skipped");
    assert.equal(r.dropped.get(2)?.reason, "concurrent_change");
  });

  test("an unmapped tag row with the same key is reused once; a mapped one with an end conflicts", () => {
    const existing = [
      { id: 50, repositoryId: 1, name: "t1", lifetimeEndMs: null, mappedTo: null },
      { id: 51, repositoryId: 1, name: "t2", lifetimeEndMs: 5000, mappedTo: 999 },
      { id: 52, repositoryId: 1, name: "t3", lifetimeEndMs: null, mappedTo: 998 },
    ];
    const r = prepareWrite([plan(1), plan(2, {}, 5), plan(3)], [state(1), state(2), state(3)], existing);
    assert.deepEqual(
      r.writable.map((w) => [w.plan.tag.id, w.reuseTagId]),
      [
        [1, 50],
        [3, null],
      ],
    );
    assert.equal(r.dropped.get(2)?.reason, "tag_conflict");
  });
});

describe("write rows", () => {
  test("one manifest per (repository, digest); the lowest tag's bytes win", () => {
    const a = plan(1, {
      manifest: {
        ...placeholderManifest(1, { kind: "image", imageId: 3, ancestors: "/" }),
        digest: "d",
        bytes: "A",
      },
    });
    const b = plan(2, {
      manifest: {
        ...placeholderManifest(2, { kind: "image", imageId: 3, ancestors: "/" }),
        digest: "d",
        bytes: "B",
      },
    });
    const manifests = planManifests([a, b]);
    assert.equal(manifests.size, 1);
    assert.equal([...manifests.values()][0]?.bytes, "A");
    assert.equal(resolveTagManifestBytes(b, { bytes: "A", digest: "d", created: true }), "A");
    assert.equal(resolveTagManifestBytes(b, { bytes: "not a manifest", digest: "d", created: false }), "B");
  });

  test("for a shared digest: signed bytes first, then stored ones, then the lowest tag", () => {
    const m = (id: number, bytes: string, mediaType: string) => ({
      ...placeholderManifest(id, { kind: "image", imageId: 3, ancestors: "/" }),
      digest: "d",
      bytes,
      mediaType,
    });
    const stored = { kind: "existing" as const, id: 7 };
    const generated = plan(1, { manifest: m(1, "generated", MEDIA_TYPES.schema1Signed) });
    const storedSigned = plan(2, {
      manifest: m(2, "stored", MEDIA_TYPES.schema1Signed),
      tagManifest: stored,
    });
    const storedLater = plan(3, {
      manifest: m(3, "stored later", MEDIA_TYPES.schema1Signed),
      tagManifest: stored,
    });
    const storedUnsigned = plan(0, { manifest: m(0, "unsigned", MEDIA_TYPES.schema1), tagManifest: stored });
    const pick = (plans: MapPlan[]) => [...planManifests(plans).values()][0]?.bytes;
    assert.equal(pick([storedUnsigned, generated, storedSigned, storedLater]), "stored");
    assert.equal(pick([storedUnsigned, generated]), "generated");
  });

  test("synthesised images are deduplicated with parents first", () => {
    const img = (id: string, parent: string | null) => ({
      repositoryId: 1,
      dockerImageId: id,
      parent:
        parent === null ? null : { kind: "synthesized" as const, repositoryId: 1, dockerImageId: parent },
      storageId: 1,
      aggregateSize: null,
      v1JsonMetadata: "{}",
      created: null,
      comment: null,
      command: null,
    });
    const images = planSynthesizedImages([
      plan(1, { images: [img("a", null), img("b", "a")] }),
      plan(2, { images: [img("a", null), img("c", "a")] }),
    ]);
    assert.deepEqual(
      images.map((i) => i.dockerImageId),
      ["a", "b", "c"],
    );
  });
});
