import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { generateSchema1 } from "../../../src/manifest/index.js";
import {
  DEFECT_CLASSES,
  planSeedTags,
  seedOptions,
  type DefectClass,
  type SeedChunk,
  type SeedTagExpectation,
} from "../../../src/seed/index.js";
import { DatasetIndex, generateAll, HEX64, isObject, parseV1 } from "./seed-dataset.js";

/** What a tag's rows show, found the way a backfill would: by walking its chain. */
function findings(index: DatasetIndex, tag: SeedTagExpectation): Set<DefectClass> {
  const found = new Set<DefectClass>();
  const leafRow = index.images.get(tag.imageId);
  const outOfRange = (leafRow?.ancestors ?? "")
    .split("/")
    .filter(Boolean)
    .some((part) => !/^[0-9]+$/.test(part) || Number(part) < 1 || Number(part) > 2147483647);
  if (outOfRange) found.add("ancestors-out-of-range");
  const { layers, missing } = outOfRange
    ? { layers: leafRow ? [leafRow] : [], missing: false }
    : index.chain(tag.imageId);
  if (missing) found.add("missing-parent");
  const leaf = layers[0];
  assert.ok(leaf);
  const leafV1 = leaf.v1JsonMetadata ?? "";
  const parsed = parseV1(leafV1);
  // Parses as JSON (Python's parser takes NaN) but a client refuses the value.
  const unpullable =
    /"Size": ?(NaN|1\.5|9{20})[,}]/.test(leafV1) ||
    /"created": ?"last tuesday"/.test(leafV1) ||
    /"Cmd": ?"/.test(leafV1);
  if (unpullable) found.add("v1-unpullable");
  else if (parsed === undefined) found.add("v1-not-json");
  else if (!isObject(parsed)) found.add("v1-not-object");
  else if (!("id" in parsed)) found.add("v1-no-id");
  if (leafV1.length > 300_000) found.add("oversize-leaf");
  else if (layers.reduce((n, l) => n + (l.v1JsonMetadata?.length ?? 0), 0) > 300_000) {
    found.add("oversize-metadata");
  }
  for (const [i, layer] of layers.entries()) {
    const storage = index.storages.get(layer.storageId);
    if (storage?.uploading) found.add("storage-uploading");
    if (storage && storage.contentChecksum === null) found.add("storage-no-checksum");
    if (storage?.contentChecksum?.startsWith("tarsum+sha256:")) found.add("tarsum");
    if (storage?.contentChecksum?.startsWith("md5:")) found.add("checksum-not-sha256");
    const checksum = storage?.contentChecksum;
    if (checksum && !/^[A-Za-z0-9_+.-]+:[A-Fa-f0-9]+$/.test(checksum)) found.add("checksum-not-digest");
    if (!HEX64.test(layer.dockerImageId)) found.add("invalid-id");
    const v1 = parseV1(layer.v1JsonMetadata);
    if (!isObject(v1)) continue;
    if (typeof v1.id === "string" && v1.id.includes("\u0000")) found.add("v1-nul-id");
    if (typeof v1.id === "string" && v1.id !== layer.dockerImageId) {
      const other = index.byDockerId.get(layer.repositoryId)?.get(v1.id);
      if (other && index.checksum(other) !== index.checksum(layer)) found.add("id-collision");
    }
    const parent = layers[i + 1];
    const parentV1 = parent ? parseV1(parent.v1JsonMetadata) : undefined;
    if (parent && isObject(parentV1) && v1.parent !== parentV1.id) found.add("chain-mismatch");
  }
  return found;
}

describe("seed defects", () => {
  const rate = 0.02;
  const input = {
    tags: 5000,
    seed: "defects",
    rates: Object.fromEntries(DEFECT_CLASSES.map((d) => [d, rate])),
  };
  let data: SeedChunk;
  let index: DatasetIndex;
  let plan: SeedTagExpectation[];
  before(async () => {
    data = await generateAll(input);
    index = new DatasetIndex(data);
    plan = [...planSeedTags(seedOptions(input))];
  });

  test("each defect class lands on about its rate of visible tags", () => {
    const visible = plan.filter((t) => !t.hidden).length;
    const expected = visible * rate;
    const tolerance = 4.5 * Math.sqrt(expected * (1 - rate));
    for (const defect of DEFECT_CLASSES) {
      const count = plan.filter((t) => t.defect === defect).length;
      assert.ok(
        Math.abs(count - expected) <= tolerance,
        `${defect}: ${count}, expected ${expected.toFixed(0)}`,
      );
    }
    assert.equal(plan.filter((t) => t.hidden && t.defect).length, 0, "hidden tags stay clean");
  });

  test("the rows of every tag show exactly the defect planSeedTags names for it, and clean tags none", () => {
    for (const tag of plan) {
      const expected = tag.defect ? [tag.defect] : [];
      assert.deepEqual([...findings(index, tag)], expected, `tag ${tag.repositoryTagId}`);
    }
  });

  test("a defect reaches no other tag: defective chains share no image with another tag", () => {
    const users = new Map<number, number>();
    for (const tag of data.tags) users.set(tag.imageId, (users.get(tag.imageId) ?? 0) + 1);
    for (const tag of plan.filter((t) => t.defect)) assert.equal(users.get(tag.imageId), 1);
  });

  test("oversize metadata: over 3 MiB signed, fits stripped; oversize leaf: over even stripped", async () => {
    for (const defect of ["oversize-metadata", "oversize-leaf"] as const) {
      const tag = plan.find((t) => t.defect === defect);
      assert.ok(tag, defect);
      const layers = index.chain(tag.imageId).layers.map((l) => ({
        blobSum: index.checksum(l) ?? "",
        v1Compatibility: l.v1JsonMetadata,
      }));
      const result = await generateSchema1({
        namespace: tag.namespace,
        repository: tag.repository,
        tag: tag.name,
        libraryNamespace: "library",
        layers,
        rewriteIds: false,
        maxBytes: 3_145_728,
      });
      if (defect === "oversize-metadata") {
        assert.ok(result.ok && result.stripped, JSON.stringify(result.ok ? result.size : result));
      } else {
        assert.ok(!result.ok && result.reason === "manifest_too_large");
      }
    }
  });

  test("a clean run has no defects at all", () => {
    const clean = [...planSeedTags(seedOptions({ tags: 2000, seed: "defects", rates: {} }))];
    assert.ok(
      clean.some((t) => t.defect),
      "defaults inject defects",
    );
    const none = [
      ...planSeedTags(
        seedOptions({
          tags: 2000,
          seed: "defects",
          rates: Object.fromEntries(DEFECT_CLASSES.map((d) => [d, 0])),
        }),
      ),
    ];
    assert.equal(none.filter((t) => t.defect).length, 0);
  });
});
