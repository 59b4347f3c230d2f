import type { TagOutcomeKind } from "./outcome-kinds.js";

// The rows the batch store's writes take (src/backfill/batch-store.ts): declared by the core that writes
// them; the database adapter (src/db) inserts them.

export interface NewImage {
  id: number;
  dockerImageId: string;
  repositoryId: number;
  ancestors: string;
  storageId: number;
  created: Date | null;
  comment: string | null;
  command: string | null;
  aggregateSize: number | null;
  v1JsonMetadata: string;
  parentId: number | null;
}

export interface NewManifest {
  repositoryId: number;
  digest: string;
  mediaTypeId: number;
  bytes: string;
}

export interface InsertedManifest {
  id: number;
  repositoryId: number;
  digest: string;
}

export interface NewManifestBlob {
  repositoryId: number;
  manifestId: number;
  blobId: number;
}

export interface NewManifestLegacyImage {
  repositoryId: number;
  manifestId: number;
  imageId: number;
}

export interface NewManifestLabel {
  repositoryId: number;
  manifestId: number;
  labelId: number;
}

export interface NewTagManifestLabelMap {
  tagManifestId: number;
  manifestId: number;
  labelId: number;
  tagManifestLabelId: number;
  manifestLabelId: number;
}

export interface NewTagManifestLink {
  tagManifestId: number;
  manifestId: number;
  broken: boolean;
}

export interface NewTagManifest {
  tagId: number;
  digest: string;
  json: string;
}

export interface NewTagMapping {
  repositoryId: number;
  tagId: number;
  repositoryTagId: number;
}

export interface NewTag {
  id: number;
  name: string;
  repositoryId: number;
  manifestId: number;
  lifetimeStartMs: number;
  lifetimeEndMs: number | null;
  reversion: boolean;
  tagKindId: number;
}

export interface TagOutcomeRow {
  repositoryTagId: number;
  runId: string;
  batchId: string | null;
  outcome: TagOutcomeKind;
  reason: string | null;
  detail: string | null;
  rewrittenIds: number;
  manifestDigest: string | null;
  /** reprocess --force on a mapped tag: what it did (else null). */
  reprocess?: "repaired" | "unchanged" | "refused" | "failed" | null;
  reprocessDetail?: string | null;
}
