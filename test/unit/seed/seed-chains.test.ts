import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  cleanRates,
  DATASET_END_TS,
  FUTURE_END_TS,
  planSeedTags,
  seedOptions,
  type SeedChunk,
} from "../../../src/seed/index.js";
import { DatasetIndex, generateAll, HEX64, isObject, parseV1 } from "./seed-dataset.js";

describe("seed chains without defects", () => {
  const input = { tags: 3000, seed: "chains", rates: cleanRates() };
  let data: SeedChunk;
  let index: DatasetIndex;
  before(async () => {
    data = await generateAll(input);
    index = new DatasetIndex(data);
  });

  test("ids are dense from 1 and every reference resolves", () => {
    for (const rows of [
      data.users,
      data.repositories,
      data.storages,
      data.images,
      data.tags,
      data.tagManifests,
    ]) {
      assert.deepEqual(
        rows.map((r) => r.id),
        rows.map((_, i) => i + 1),
      );
    }
    const users = new Set(data.users.map((u) => u.id));
    const repositories = new Set(data.repositories.map((r) => r.id));
    for (const r of data.repositories) assert.ok(users.has(r.namespaceUserId));
    for (const i of data.images) {
      assert.ok(repositories.has(i.repositoryId));
      assert.ok(index.storages.has(i.storageId), `image ${i.id} storage`);
    }
    for (const t of data.tags) assert.equal(index.images.get(t.imageId)?.repositoryId, t.repositoryId);
  });

  test("ancestors are in Quay's format and agree with parent_id, the parent in the same repository", () => {
    for (const image of data.images) {
      assert.match(image.ancestors, /^\/(\d+\/)*$/);
      const ids = image.ancestors.split("/").filter(Boolean).map(Number);
      assert.equal(image.parentId, ids.at(-1) ?? null);
      const parent = image.parentId === null ? undefined : index.images.get(image.parentId);
      if (image.parentId === null) {
        assert.equal(image.ancestors, "/");
        continue;
      }
      assert.ok(parent, `parent of image ${image.id}`);
      assert.equal(parent.repositoryId, image.repositoryId);
      assert.equal(image.ancestors, `${parent.ancestors}${parent.id}/`);
      assert.ok(image.created >= parent.created, `image ${image.id} created before its parent`);
    }
  });

  test("v1 JSON is an object naming its own id and its parent's; storages are uploaded sha256 blobs", () => {
    for (const image of data.images) {
      assert.match(image.dockerImageId, HEX64);
      const v1 = parseV1(image.v1JsonMetadata);
      assert.ok(isObject(v1), `image ${image.id} v1`);
      assert.equal(v1.id, image.dockerImageId);
      const parent = image.parentId === null ? undefined : index.images.get(image.parentId);
      assert.equal(v1.parent, parent?.dockerImageId);
      assert.match(String(v1.created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      const config = v1.container_config;
      assert.ok(isObject(config) && Array.isArray(config.Cmd) && Array.isArray(config.Env));
      assert.equal(config.Image, parent?.dockerImageId ?? "");
      assert.ok(isObject(v1.config) && isObject(v1.config.Labels));
      const storage = index.storages.get(image.storageId);
      assert.equal(storage?.uploading, false);
      assert.match(storage?.contentChecksum ?? "", /^sha256:[a-f0-9]{64}$/);
    }
  });

  test("v1 JSON comes compact (Go) and with Python's separators, with non-ASCII text, some layers throwaway", () => {
    const texts = data.images.map((i) => i.v1JsonMetadata ?? "");
    assert.ok(texts.some((t) => t.startsWith('{"id":"')));
    assert.ok(texts.some((t) => t.startsWith('{"id": "')));
    assert.ok(
      texts.some((t) => [...t].some((c) => c.charCodeAt(0) > 0x7f)),
      "raw UTF-8",
    );
    assert.ok(
      texts.some((t) => /\\u00[eEfF][0-9a-f]/.test(t)),
      "escaped non-ASCII",
    );
    assert.ok(texts.some((t) => t.includes('"throwaway": true') || t.includes('"throwaway":true')));
  });

  test("chains are 1 to 40 deep, about 8 on average, and share base images across tags", () => {
    const plan = [...planSeedTags(seedOptions(input))];
    const depths = plan.map((t) => t.depth);
    const mean = depths.reduce((a, b) => a + b, 0) / depths.length;
    assert.ok(mean > 6.5 && mean < 9.5, `mean depth ${mean}`);
    assert.equal(Math.min(...depths), 1);
    assert.ok(Math.max(...depths) <= 40 && Math.max(...depths) >= 25);
    for (const tag of plan) assert.equal(index.chain(tag.imageId).layers.length, tag.depth);
    const roots = new Map<string, number>();
    for (const tag of data.tags) {
      const root = index.chain(tag.imageId).layers.at(-1)?.dockerImageId ?? "";
      roots.set(root, (roots.get(root) ?? 0) + 1);
    }
    assert.ok(roots.size <= 8, `${roots.size} distinct base roots`);
    assert.ok(data.images.length < data.tags.length * 3, "images are shared between tags");
  });

  test("tags are alive, dead and hidden, names unique per lifetime end, one alive row per name", () => {
    const plan = [...planSeedTags(seedOptions(input))];
    const hidden = plan.filter((t) => t.hidden).length;
    const dead = plan.filter((t) => t.dead).length;
    assert.ok(hidden > 20 && hidden < 150, `hidden ${hidden}`);
    assert.ok(dead > 300 && dead < 1500, `dead ${dead}`);
    assert.ok(data.tags.some((t) => t.reversion));
    for (const t of data.tags) {
      assert.ok(t.lifetimeStartTs < DATASET_END_TS, `tag ${t.id} starts before the dataset's now`);
      const end = t.lifetimeEndTs;
      assert.ok(end === null || end === FUTURE_END_TS || (end > t.lifetimeStartTs && end <= DATASET_END_TS));
    }
    const keys = new Set<string>();
    const alive = new Set<string>();
    for (const t of data.tags) {
      if (t.lifetimeEndTs !== null) {
        const key = `${t.repositoryId}/${t.name}/${t.lifetimeEndTs}`;
        assert.ok(!keys.has(key), key);
        keys.add(key);
      }
      if (t.lifetimeEndTs === null || t.lifetimeEndTs > Date.now() / 1000) {
        const key = `${t.repositoryId}/${t.name}`;
        assert.ok(!alive.has(key), `two alive rows for ${key}`);
        alive.add(key);
      }
    }
    const library = data.users.find((u) => u.username === "library");
    assert.ok(library?.organization);
    assert.ok(data.users.every((u) => u.email.endsWith("@seed.invalid")));
    assert.ok(data.repositories.some((r) => r.namespaceUserId === library.id));
  });
});
