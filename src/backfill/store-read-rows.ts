// The rows the batch store's reads return and the keys they take (src/backfill/batch-store.ts): declared
// by the core that asks for them; the database adapter (src/db) fills them.

export interface BatchTagSelection {
  lo: number;
  hi: number;
  /** An explicit id list (reprocess); `lo`/`hi` still bound it. */
  tagIds: readonly number[] | null;
  namespace?: string | undefined;
  /** `namespace/repository`. */
  repository?: string | undefined;
  /** Read the stored manifest text of mapped tags too (reprocess --force recomputes them). */
  includeMapped?: boolean;
}

/** What can be read of a batch's tags without any of their text: ids and flags. */
export interface BatchTagKey {
  id: number;
  hidden: boolean;
  mapped: boolean;
}

export interface RepositoryImageKey {
  repositoryId: number;
  dockerImageId: string;
}

export interface RepositoryImage extends RepositoryImageKey {
  id: number;
  ancestors: string | null;
  /** The checksum of its storage; null when it has none. */
  checksum: string | null;
}

export interface RepositoryBlobKey {
  repositoryId: number;
  checksum: string;
}

export interface RepositoryBlob extends RepositoryBlobKey {
  storageId: number;
}

export interface TagState {
  id: number;
  mapped: boolean;
  tagManifestId: number | null;
  /** Whether that tag manifest is linked to a manifest. */
  linked: boolean;
}

export interface TagKey {
  repositoryId: number;
  name: string;
  lifetimeEndMs: number | null;
}

export interface ExistingTag extends TagKey {
  id: number;
  /** The `repositorytag` it is mapped to, if any. */
  mappedTo: number | null;
}

/**
 * The rows a mapped `repositorytag` consists of today, each null when absent: what `reprocess --force`
 * compares its recomputed plan with.
 */
export interface MappedState {
  repositoryTagId: number;
  /** `tag` row of the mapping, with the manifest it points at. */
  tag: { id: number; manifestId: number | null; manifestDigest: string | null } | null;
  tagManifest: {
    id: number;
    digest: string;
    json: string;
    /** Its `tagmanifestlabelmap` rows (they name the manifest its labels were carried to). */
    labelMaps: number;
  } | null;
  /** `tagmanifesttomanifest` of that tag manifest, with its manifest. */
  link: { id: number; manifestId: number; broken: boolean } | null;
  manifest: {
    id: number;
    repositoryId: number;
    digest: string;
    mediaType: string | null;
    /**
     * The row's `manifest_bytes`. Sent by PostgreSQL only when they differ from the tag manifest's
     * `json_data` (most rows hold the same text), rebuilt from it here otherwise.
     */
    bytes: string;
    /**
     * Rows other than this tag's that point at the manifest: other tag manifest links, other `tag` rows,
     * manifest lists. A manifest with users is shared: its bytes belong to them too.
     */
    otherUsers: number;
  } | null;
}

export interface ManifestKey {
  repositoryId: number;
  digest: string;
}

export interface ExistingManifest extends ManifestKey {
  id: number;
  bytes: string;
}

/** A `manifest` row with its blob set (storage id and checksum) and its legacy image, if any. */
export interface ManifestParts extends ManifestKey {
  id: number;
  bytes: string;
  blobs: { storageId: number; checksum: string | null }[];
  legacyImageId: number | null;
}

export interface StoredManifestText extends ManifestKey {
  /** The `repositorytag` whose tag manifest it is. */
  tagId: number;
  json: string;
}

export interface EnumIds {
  /** `mediatype.id` by name: Quay resolves them by name, never by number. */
  mediaTypes: ReadonlyMap<string, number>;
  /** `tagkind.id` of `tag`. */
  tagKindTag: number;
}
