import { generateSeed, seedOptions, type SeedChunk, type SeedOptionsInput } from "../../../src/seed/index.js";
import type { SeedImageRow, SeedStorageRow } from "../../../src/seed/seed-rows.js";

/** Every chunk of a generated dataset merged into one (small datasets only). */
export async function generateAll(input: SeedOptionsInput, chunkTags?: number): Promise<SeedChunk> {
  const all: SeedChunk = {
    stats: { hidden: 0, dead: 0, defects: {}, tagManifests: {} },
    users: [],
    repositories: [],
    storages: [],
    images: [],
    tags: [],
    tagManifests: [],
    labels: [],
    tagManifestLabels: [],
  };
  for await (const chunk of generateSeed(seedOptions(input), { chunkTags })) {
    all.users.push(...chunk.users);
    all.repositories.push(...chunk.repositories);
    all.storages.push(...chunk.storages);
    all.images.push(...chunk.images);
    all.tags.push(...chunk.tags);
    all.tagManifests.push(...chunk.tagManifests);
    all.labels.push(...chunk.labels);
    all.tagManifestLabels.push(...chunk.tagManifestLabels);
  }
  return all;
}

export const HEX64 = /^[a-f0-9]{64}$/;

/** Indexes over a dataset's rows and the walk of a tag's chain, as the backfill would read it. */
export class DatasetIndex {
  readonly images = new Map<number, SeedImageRow>();
  readonly storages = new Map<number, SeedStorageRow>();
  /** repository id -> docker_image_id -> image */
  readonly byDockerId = new Map<number, Map<string, SeedImageRow>>();

  constructor(readonly data: SeedChunk) {
    for (const image of data.images) {
      this.images.set(image.id, image);
      const repo = this.byDockerId.get(image.repositoryId) ?? new Map<string, SeedImageRow>();
      repo.set(image.dockerImageId, image);
      this.byDockerId.set(image.repositoryId, repo);
    }
    for (const storage of data.storages) this.storages.set(storage.id, storage);
  }

  /** Leaf first, following `ancestors` (nearest parent first) until an id has no row. */
  chain(imageId: number): { layers: SeedImageRow[]; missing: boolean } {
    const leaf = this.images.get(imageId);
    if (!leaf) return { layers: [], missing: true };
    const layers = [leaf];
    const ids = leaf.ancestors.split("/").filter(Boolean).map(Number).reverse();
    for (const id of ids) {
      const image = this.images.get(id);
      if (!image) return { layers, missing: true };
      layers.push(image);
    }
    return { layers, missing: false };
  }

  checksum(image: SeedImageRow): string | null | undefined {
    return this.storages.get(image.storageId)?.contentChecksum;
  }
}

export function parseV1(text: string | null): unknown {
  try {
    return text === null ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
