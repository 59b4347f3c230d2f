/**
 * What the planner reads about one batch, as the loaders in `src/db/load-*.ts` deliver it. Plain data:
 * the planner is tested with literals of these shapes and never sees a database.
 */

/** A `repositorytag` row with its names, whether it is mapped, and its legacy manifest if any. */
export interface LegacyTag {
  id: number;
  name: string;
  repositoryId: number;
  namespace: string;
  repository: string;
  imageId: number;
  lifetimeStartTs: number;
  /**
   * The earliest `lifetime_start_ts` of the visible rows with this tag's repository, name and image:
   * the versions of a tag that share one manifest payload, which all sign at this time (see signingTimeOf).
   */
  signingStartTs: number;
  lifetimeEndTs: number | null;
  hidden: boolean;
  reversion: boolean;
  /** A `tagtorepositorytag` row exists. */
  mapped: boolean;
  /** The stored `tagmanifest` (json only for candidates). */
  tagManifest: { id: number; digest: string; json: string } | null;
  /** Its `tagmanifesttomanifest` row, when Quay already backfilled the manifest but not the tag. */
  manifestLink: { manifestId: number; broken: boolean; digest: string } | null;
}

/** An `image` row with its `imagestorage` (null when `storage_id` is null or dangling). */
export interface ChainImage {
  id: number;
  dockerImageId: string;
  repositoryId: number;
  ancestors: string | null;
  storageId: number | null;
  v1JsonMetadata: string | null;
  created: Date | null;
  comment: string | null;
  command: string | null;
  aggregateSize: number | null;
  storage: { uploading: boolean | null; checksum: string | null } | null;
}

/** Images of a repository by v1 id, with their blob checksum (the input of Quay's rewrite rule). */
export type RepositoryImageIndex = ReadonlyMap<number, ReadonlyMap<string, string>>;

/**
 * A non-uploading storage under an image of the repository, by checksum: the blob fallback of a stored
 * manifest (docs/domain-rules.md).
 */
export type RepositoryBlobIndex = ReadonlyMap<number, ReadonlyMap<string, number>>;

/** A `tagmanifestlabel` of a stored tag manifest that has no `tagmanifestlabelmap` row yet. */
export interface TagManifestLabel {
  id: number;
  tagManifestId: number;
  labelId: number;
  repositoryId: number;
}
