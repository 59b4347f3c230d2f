import type { ChainImage, LegacyTag } from "../../../src/backfill/batch-input.js";

/** Plain-data builders for the planner's inputs. */
export function tag(overrides: Partial<LegacyTag> = {}): LegacyTag {
  return {
    id: 10,
    name: "latest",
    repositoryId: 1,
    namespace: "devtable",
    repository: "simple",
    imageId: 3,
    lifetimeStartTs: 1500000000,
    signingStartTs: 1500000000,
    lifetimeEndTs: null,
    hidden: false,
    reversion: false,
    mapped: false,
    tagManifest: null,
    manifestLink: null,
    ...overrides,
  };
}

export function image(id: number, ancestors: string, overrides: Partial<ChainImage> = {}): ChainImage {
  return {
    id,
    dockerImageId: `${id}`.padStart(64, "0"),
    repositoryId: 1,
    ancestors,
    storageId: 100 + id,
    v1JsonMetadata: JSON.stringify({ id: `${id}`.padStart(64, "0") }),
    created: null,
    comment: null,
    command: null,
    aggregateSize: 10 * id,
    storage: { uploading: false, checksum: `sha256:${`${id}`.padStart(64, "a")}` },
    ...overrides,
  };
}

/** A three-image chain 1 <- 2 <- 3 (3 is the leaf), by id. */
export function chainImages(): Map<number, ChainImage> {
  return new Map([
    [1, image(1, "/")],
    [2, image(2, "/1/")],
    [3, image(3, "/1/2/")],
  ]);
}
