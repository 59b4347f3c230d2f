import type { ManifestFacts } from "../../../src/verify/inspect-manifest.js";
import type { MappedTag } from "../../../src/verify/mapped-tag.js";

/**
 * A legacy tag (id 7, image 20 with docker id `leafId`) mapped with every row right to a manifest of
 * `facts` (row 5), backfilled by this project unless `overrides` say otherwise.
 */
export function mappedTagFixture(
  facts: ManifestFacts,
  leafId: string,
  overrides: Partial<MappedTag> = {},
): MappedTag {
  const digest = facts.readable ? facts.digest : "sha256:unreadable";
  return {
    repositoryTagId: 7,
    display: "ns/repo:latest",
    legacy: {
      name: "latest",
      repositoryId: 1,
      imageId: 20,
      lifetimeStartTs: 10,
      lifetimeEndTs: null,
      reversion: false,
      hidden: false,
    },
    leafAncestors: "/10/",
    mappingRepositoryId: 1,
    tag: {
      id: 3,
      name: "latest",
      repositoryId: 1,
      manifestId: 5,
      lifetimeStartMs: 10_000,
      lifetimeEndMs: null,
      reversion: false,
      hidden: false,
      kind: "tag",
    },
    tagManifest: { id: 4, digest, bytesEqualManifest: true, jsonDataLength: 1 },
    mapping: { manifestId: 5, broken: false },
    manifest: {
      id: 5,
      repositoryId: 1,
      digest,
      mediaType: facts.readable ? facts.mediaType : null,
      bytesLength: 1,
    },
    legacyImage: { imageId: 20, dockerImageId: leafId, repositoryId: 1 },
    outcome: { outcome: "backfilled", reason: null, detail: null },
    ...overrides,
  };
}
