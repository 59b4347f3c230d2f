import type { LegacyTag } from "../backfill/batch-input.js";
import type { BatchReads } from "../backfill/batch-store.js";
import { emptyFacts, type BatchFacts } from "../backfill/load-batch.js";
import { blobsOutsideChain, readStoredManifest } from "../backfill/plan-stored-tag.js";
import { resolveChain } from "../backfill/resolve-chain.js";
import { claimedV1Id, parseAncestors } from "../manifest/v1-id-rules.js";
import { holdsOwnPlaceholder } from "../backfill/tag-plan.js";

export interface ExplainFacts {
  tag: LegacyTag;
  facts: BatchFacts;
}

/**
 * The batch core's facts for one tag, read through the batch store's reads with the core's pure helpers. This is
 * `loadBatch` (src/backfill/load-batch.ts) for a single tag, with one difference: the chain of a mapped
 * (or hidden) tag is loaded too, so explain shows its defects (the planner still skips it, as a run
 * does). Keep in step with loadBatch, or replace this with it once it can load skipped tags' chains.
 */
export async function loadExplainFacts(store: BatchReads, repositoryTagId: number): Promise<ExplainFacts> {
  const [tag] = await store.loadBatchTags({
    lo: repositoryTagId,
    hi: repositoryTagId,
    tagIds: [repositoryTagId],
    includeMapped: true,
  });
  if (tag === undefined) throw new Error(`repositorytag ${repositoryTagId} disappeared`);
  const facts: BatchFacts = { ...emptyFacts(), tags: [tag] };
  const images = new Map((await store.loadImagesById([tag.imageId])).map((image) => [image.id, image]));
  const leaf = images.get(tag.imageId);
  const ancestors = (parseAncestors(leaf?.ancestors ?? null) ?? []).filter((id) => !images.has(id));
  for (const image of await store.loadImagesById(ancestors)) images.set(image.id, image);

  let resolution;
  try {
    resolution = resolveChain(tag.repositoryId, tag.imageId, images);
  } catch (err) {
    facts.errors.set(tag.id, err instanceof Error ? err.message : String(err));
    return { tag, facts };
  }
  facts.resolutions.set(tag.id, resolution);
  // The placeholder a run wrote is not stored data: never read as a manifest the tag had.
  if (tag.tagManifest !== null && !holdsOwnPlaceholder(tag)) {
    if (tag.manifestLink === null) {
      const stored = readStoredManifest(tag.tagManifest.json);
      facts.stored.set(tag.id, stored);
      const keys = blobsOutsideChain(stored, resolution).map((checksum) => ({
        repositoryId: tag.repositoryId,
        checksum,
      }));
      const blobs = new Map<string, number>();
      for (const blob of await store.loadRepositoryBlobs(keys)) blobs.set(blob.checksum, blob.storageId);
      facts.repositoryBlobs.set(tag.repositoryId, blobs);
    }
    facts.labels.set(tag.tagManifest.id, await store.loadTagManifestLabels([tag.tagManifest.id]));
  }
  // Whatever the tag manifest (none, stored, or the one a run generated), the chain's ids are checked
  // against the repository: its defects read the same before and after a run.
  if (resolution.ok) {
    const keys = resolution.chain.flatMap((image) => {
      const id = claimedV1Id(image.v1JsonMetadata);
      return id === undefined ? [] : [{ repositoryId: tag.repositoryId, dockerImageId: id }];
    });
    const byId = new Map<string, string>();
    for (const image of await store.loadRepositoryImages(keys))
      byId.set(image.dockerImageId, image.checksum ?? "");
    facts.repositoryImages.set(tag.repositoryId, byId);
  }
  return { tag, facts };
}
