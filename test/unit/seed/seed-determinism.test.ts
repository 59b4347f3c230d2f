import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planSeedTags, seedOptions } from "../../../src/seed/index.js";
import { generateAll } from "./seed-dataset.js";

describe("seed determinism", () => {
  test("the same seed and options give the same rows, ids included, whatever the chunk size", async () => {
    const a = await generateAll({ tags: 1500, seed: "determinism" }, 100);
    const b = await generateAll({ tags: 1500, seed: "determinism" }, 5000);
    assert.equal(a.tags.length, 1500);
    assert.deepEqual(b, a);
  });

  test("a different seed gives different rows", async () => {
    const a = await generateAll({ tags: 300, seed: "one" });
    const b = await generateAll({ tags: 300, seed: "two" });
    assert.equal(b.tags.length, a.tags.length);
    assert.notDeepEqual(
      b.images.map((i) => i.dockerImageId),
      a.images.map((i) => i.dockerImageId),
    );
    assert.notDeepEqual(
      b.tags.map((t) => t.name),
      a.tags.map((t) => t.name),
    );
  });

  test("planSeedTags names the same tags, images and existing manifests as the rows", async () => {
    const input = { tags: 2000, seed: "plan" };
    const data = await generateAll(input);
    const plan = [...planSeedTags(seedOptions(input))];
    assert.deepEqual(
      plan.map((t) => [t.repositoryTagId, t.repositoryId, t.name, t.imageId, t.hidden]),
      data.tags.map((t) => [t.id, t.repositoryId, t.name, t.imageId, t.hidden]),
    );
    const withManifest = plan.filter((t) => t.tagManifest !== null).map((t) => t.repositoryTagId);
    assert.deepEqual(
      data.tagManifests.map((m) => m.tagId),
      withManifest,
    );
    assert.equal(
      plan.reduce((n, t) => n + t.labels, 0),
      data.tagManifestLabels.length,
    );
  });

  test("id offsets shift every id and nothing else", async () => {
    const plain = await generateAll({ tags: 200, seed: "offsets" });
    const shifted = await generateAll({
      tags: 200,
      seed: "offsets",
      idOffsets: { image: 1000, repositorytag: 50, imagestorage: 7, repository: 3, user: 2 },
    });
    assert.deepEqual(
      shifted.tags.map((t) => [t.id - 50, t.imageId - 1000, t.repositoryId - 3, t.name]),
      plain.tags.map((t) => [t.id, t.imageId, t.repositoryId, t.name]),
    );
    assert.deepEqual(
      shifted.images.map((i) => [i.id - 1000, i.storageId - 7, i.dockerImageId, i.v1JsonMetadata]),
      plain.images.map((i) => [i.id, i.storageId, i.dockerImageId, i.v1JsonMetadata]),
    );
  });
});
