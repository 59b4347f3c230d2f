import type { TagManifestKind } from "./plan-repository.js";
import type { DefectClass } from "./seed-options.js";

/**
 * Rows the seeder writes, one array per table, with explicit ids. Columns that point at enum tables
 * (visibility, repositorykind, mediatype, labelsourcetype) carry the enum's name: the writer resolves
 * names to the database's ids, as Quay does.
 */
export interface SeedUserRow {
  id: number;
  uuid: string;
  username: string;
  email: string;
  organization: boolean;
  creationDate: string;
}

export interface SeedRepositoryRow {
  id: number;
  namespaceUserId: number;
  name: string;
  visibility: "public" | "private";
  description: string | null;
  badgeToken: string;
}

export interface SeedStorageRow {
  id: number;
  uuid: string;
  imageSize: number;
  uncompressedSize: number | null;
  uploading: boolean;
  contentChecksum: string | null;
}

export interface SeedImageRow {
  id: number;
  dockerImageId: string;
  repositoryId: number;
  ancestors: string;
  storageId: number;
  /** `YYYY-MM-DD HH:MM:SS`, UTC (the column has no time zone). */
  created: string;
  comment: string | null;
  command: string | null;
  aggregateSize: number;
  v1JsonMetadata: string | null;
  parentId: number | null;
}

export interface SeedTagRow {
  id: number;
  name: string;
  imageId: number;
  repositoryId: number;
  lifetimeStartTs: number;
  lifetimeEndTs: number | null;
  hidden: boolean;
  reversion: boolean;
}

export interface SeedTagManifestRow {
  id: number;
  tagId: number;
  digest: string;
  jsonData: string;
}

export interface SeedLabelRow {
  id: number;
  uuid: string;
  key: string;
  value: string;
  mediaType: "text/plain";
  sourceType: "manifest";
}

export interface SeedTagManifestLabelRow {
  id: number;
  repositoryId: number;
  annotatedId: number;
  labelId: number;
}

/** Per-chunk counts of what the tags got, for the seed summary. */
export interface SeedTagStats {
  hidden: number;
  dead: number;
  defects: Partial<Record<DefectClass, number>>;
  tagManifests: Partial<Record<TagManifestKind, number>>;
}

export interface SeedChunk {
  stats: SeedTagStats;
  users: SeedUserRow[];
  repositories: SeedRepositoryRow[];
  storages: SeedStorageRow[];
  images: SeedImageRow[];
  tags: SeedTagRow[];
  tagManifests: SeedTagManifestRow[];
  labels: SeedLabelRow[];
  tagManifestLabels: SeedTagManifestLabelRow[];
}

export function emptyChunk(): SeedChunk {
  return {
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
}
