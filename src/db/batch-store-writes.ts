import { sql, type Kysely, type Transaction } from "kysely";
import type { BatchWrites } from "../backfill/batch-store.js";
import { batchStoreReads } from "./batch-store-reads.js";
import type { Database } from "./tables.js";
import { preferLz4Toast } from "./toast-compression.js";
import { deleteUnusedManifest } from "./write-delete-unused-manifest.js";
import { allocateIds } from "./write-ids.js";
import { insertImages } from "./write-images.js";
import { insertManifestBlobs } from "./write-manifest-blobs.js";
import { insertManifestLabels } from "./write-manifest-labels.js";
import { insertManifestLegacyImages } from "./write-manifest-legacy-images.js";
import { insertManifests } from "./write-manifests.js";
import { repointTagManifestLabels } from "./write-repair-labels.js";
import { updateTagManifestLink } from "./write-repair-link.js";
import { updateManifestBytes } from "./write-repair-manifest-bytes.js";
import { replacePlaceholderTagManifest } from "./write-repair-tag-manifest.js";
import { pointTagAtManifest } from "./write-repair-tag.js";
import { insertTagManifestLabelMaps } from "./write-tag-manifest-label-maps.js";
import { insertTagManifestLinks } from "./write-tag-manifest-links.js";
import { insertTagManifests } from "./write-tag-manifests.js";
import { insertTagMappings } from "./write-tag-mappings.js";
import { insertTags } from "./write-tags.js";
import { lockRepositoryTags } from "./write-tag-locks.js";
import { upsertTagOutcomes } from "./write-tag-outcomes.js";

/**
 * The batch store's writes (src/backfill/batch-store.ts) inside one transaction. `pool` is the long-lived
 * handle: the lz4 probe is cached per pool and sent outside the transaction.
 */
export function batchStoreWrites(trx: Transaction<Database>, pool: Kysely<Database>): BatchWrites {
  return {
    ...batchStoreReads(trx),
    preferLz4Toast: () => preferLz4Toast(pool, trx),
    lockRepositoryTags: (ids) => lockRepositoryTags(trx, ids),
    savepoint: async (name) => {
      await sql.raw(`SAVEPOINT ${name}`).execute(trx);
    },
    releaseSavepoint: async (name) => {
      await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(trx);
    },
    rollbackToSavepoint: async (name) => {
      await sql.raw(`ROLLBACK TO SAVEPOINT ${name}`).execute(trx);
    },
    allocateIds: (table, n) => allocateIds(trx, table, n),
    insertImages: (rows) => insertImages(trx, rows),
    insertManifests: (rows) => insertManifests(trx, rows),
    insertManifestBlobs: (rows) => insertManifestBlobs(trx, rows),
    insertManifestLegacyImages: (rows) => insertManifestLegacyImages(trx, rows),
    insertManifestLabels: (rows) => insertManifestLabels(trx, rows),
    insertTagManifestLabelMaps: (rows) => insertTagManifestLabelMaps(trx, rows),
    insertTagManifestLinks: (rows) => insertTagManifestLinks(trx, rows),
    insertTagManifests: (rows) => insertTagManifests(trx, rows),
    insertTagMappings: (rows) => insertTagMappings(trx, rows),
    insertTags: (rows) => insertTags(trx, rows),
    upsertTagOutcomes: (rows) => upsertTagOutcomes(trx, rows),
    updateManifestBytes: (row) => updateManifestBytes(trx, row),
    replacePlaceholderTagManifest: (row) => replacePlaceholderTagManifest(trx, row),
    updateTagManifestLink: (row) => updateTagManifestLink(trx, row),
    pointTagAtManifest: (row) => pointTagAtManifest(trx, row),
    repointTagManifestLabels: (row) => repointTagManifestLabels(trx, row),
    deleteUnusedManifest: (manifestId) => deleteUnusedManifest(trx, manifestId),
  };
}
