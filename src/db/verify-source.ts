import type { Kysely } from "kysely";
import type { MappedTagPage, VerifyChunk, VerifySource } from "../verify/run-verify.js";
import { ancestorIds } from "../verify/tag-chain.js";
import type { Database } from "./tables.js";
import { findOrphans } from "./verify-find-orphans.js";
import { loadChainImages } from "./verify-load-chain-images.js";
import { loadManifestBlobs } from "./verify-load-manifest-blobs.js";
import { loadManifestBytes } from "./verify-load-manifest-bytes.js";
import { loadTagManifestJson } from "./verify-load-tag-manifest-json.js";
import { loadMappedTags } from "./verify-load-mapped-tags.js";
import { countMappedTags, sampleMappedTagIds } from "./verify-sample-tag-ids.js";
import type { VerifyScope } from "./verify-scope.js";

/**
 * The database side of verify. A chunk costs four queries whatever its size: the tags with their mapping
 * rows, the distinct manifests' bytes, their manifestblob rows, and the images of their chains; a fifth
 * reads the stored json_data of the tags whose bytes differ from their manifest's, only when there are any.
 */
export function createVerifySource(db: Kysely<Database>, scope: VerifyScope): VerifySource {
  return {
    countTags: () => countMappedTags(db, scope),
    sampleTagIds: (size) => sampleMappedTagIds(db, size, scope),
    findOrphans: () => findOrphans(db, scope),
    async loadChunk(page: MappedTagPage): Promise<VerifyChunk> {
      const tags = await loadMappedTags(db, page, scope);
      const manifestIds = [...new Set(tags.flatMap((tag) => (tag.manifest ? [tag.manifest.id] : [])))];
      const imageIds = [
        ...new Set(tags.flatMap((tag) => [tag.legacy.imageId, ...ancestorIds(tag.leafAncestors)])),
      ];
      const differing = tags.flatMap((tag) =>
        tag.tagManifest?.bytesEqualManifest === false ? [tag.tagManifest.id] : [],
      );
      const [manifestBytes, blobs, images, storedJson] = await Promise.all([
        loadManifestBytes(db, manifestIds),
        loadManifestBlobs(db, manifestIds),
        loadChainImages(db, imageIds),
        loadTagManifestJson(db, differing),
      ]);
      return { tags, manifestBytes, blobs, images, storedJson };
    },
  };
}
