import type { Kysely } from "kysely";
import type { BatchReads } from "../backfill/batch-store.js";
import { isDataError } from "./data-error.js";
import { loadBatchTagKeys } from "./load-batch-tag-keys.js";
import { loadBatchTags } from "./load-batch-tags.js";
import { loadExistingManifests } from "./load-existing-manifests.js";
import { loadExistingTags } from "./load-existing-tags.js";
import { loadImagesById } from "./load-images-by-id.js";
import { loadManifestParts } from "./load-manifest-parts.js";
import { loadMappedStates } from "./load-mapped-states.js";
import { loadRepositoryBlobs } from "./load-repository-blobs.js";
import { loadRepositoryImages } from "./load-repository-images.js";
import { loadStorageChecksums } from "./load-storage-checksums.js";
import { loadStoredManifestTexts } from "./load-stored-manifest-texts.js";
import { loadTagManifestLabels } from "./load-tag-manifest-labels.js";
import { loadTagStates } from "./load-tag-states.js";
import type { Database } from "./tables.js";

/** The batch store's reads (src/backfill/batch-store.ts) through a handle: a pool or a transaction. */
export function batchStoreReads(db: Kysely<Database>): BatchReads {
  return {
    loadBatchTags: (selection) => loadBatchTags(db, selection),
    loadBatchTagKeys: (selection) => loadBatchTagKeys(db, selection),
    loadImagesById: (ids) => loadImagesById(db, ids),
    loadRepositoryImages: (keys) => loadRepositoryImages(db, keys),
    loadRepositoryBlobs: (keys) => loadRepositoryBlobs(db, keys),
    loadTagManifestLabels: (ids) => loadTagManifestLabels(db, ids),
    loadTagStates: (ids) => loadTagStates(db, ids),
    loadExistingTags: (keys) => loadExistingTags(db, keys),
    loadMappedStates: (ids) => loadMappedStates(db, ids),
    loadManifestParts: (keys) => loadManifestParts(db, keys),
    loadStorageChecksums: (ids) => loadStorageChecksums(db, ids),
    loadExistingManifests: (keys) => loadExistingManifests(db, keys),
    loadStoredManifestTexts: (keys) => loadStoredManifestTexts(db, keys),
    isDataError,
  };
}
