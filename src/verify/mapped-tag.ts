/**
 * One mapped legacy tag as verify loads it: the repositorytag, and every row its mapping consists of,
 * each `null` when absent. Plain data, so the checks are tested without a database.
 */
export interface MappedTag {
  repositoryTagId: number;
  /** `ns/repo:tag`, for examples. */
  display: string;
  legacy: {
    name: string;
    repositoryId: number;
    imageId: number;
    lifetimeStartTs: number;
    lifetimeEndTs: number | null;
    reversion: boolean;
    hidden: boolean;
  };
  /** `ancestors` of the legacy leaf image (`legacy.imageId`), null when that image is missing. */
  leafAncestors: string | null;
  /** tagtorepositorytag. */
  mappingRepositoryId: number;
  tag: {
    id: number;
    name: string;
    repositoryId: number;
    manifestId: number | null;
    lifetimeStartMs: number;
    lifetimeEndMs: number | null;
    reversion: boolean;
    hidden: boolean;
    kind: string | null;
  } | null;
  tagManifest: {
    id: number;
    digest: string;
    /** Byte-for-byte equality with manifest_bytes, computed by the database; null without a manifest. */
    bytesEqualManifest: boolean | null;
    jsonDataLength: number;
  } | null;
  /** tagmanifesttomanifest, with the manifest it points at. */
  mapping: { manifestId: number; broken: boolean } | null;
  manifest: {
    id: number;
    repositoryId: number;
    digest: string;
    mediaType: string | null;
    bytesLength: number;
  } | null;
  legacyImage: {
    imageId: number;
    dockerImageId: string | null;
    repositoryId: number | null;
  } | null;
  /** The latest run outcome recorded for this repositorytag, if any. */
  outcome: { outcome: string; reason: string | null; detail: string | null } | null;
}

/** A manifestblob row with what verify needs of its storage. */
export interface ManifestBlob {
  manifestId: number;
  blobId: number;
  repositoryId: number;
  checksum: string | null;
  uploading: boolean | null;
  /** Whether an image of the manifest's repository uses this storage. */
  inRepository: boolean;
}

/** The storages of a tag's image chain (leaf and its ancestors in the same repository). */
export interface ChainStorage {
  storageId: number;
  checksum: string | null;
}
