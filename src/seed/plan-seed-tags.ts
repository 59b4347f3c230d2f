import { planDataset } from "./plan-dataset.js";
import { DATASET_END_TS, type TagManifestKind } from "./plan-repository.js";
import type { DefectClass, SeedOptions } from "./seed-options.js";

/** What the seed made of one `repositorytag` row: what a backfill test asserts its outcome against. */
export interface SeedTagExpectation {
  readonly repositoryTagId: number;
  readonly repositoryId: number;
  readonly namespace: string;
  readonly repository: string;
  readonly name: string;
  /** The tag's `image_id` (its leaf). */
  readonly imageId: number;
  /** Layers in the chain, the leaf included (a missing parent still counts). */
  readonly depth: number;
  readonly hidden: boolean;
  /** `lifetime_end_ts` in the dataset's past; hidden tags are never `dead`. */
  readonly dead: boolean;
  /** The one defect injected into this tag's chain; null for a clean chain. */
  readonly defect: DefectClass | null;
  /** The `tagmanifest` row the tag already has; only clean tags get one. */
  readonly tagManifest: TagManifestKind | null;
  readonly labels: number;
}

/**
 * Recomputes, without a database and without rendering any JSON, what `backfill seed` writes for each
 * tag with these options (the same options give the same ids). Yields in id order; a million tags take
 * a few seconds and little memory.
 */
export function* planSeedTags(options: SeedOptions): Generator<SeedTagExpectation> {
  for (const repository of planDataset(options).repositories()) {
    for (const tag of repository.tags) {
      yield {
        repositoryTagId: tag.id,
        repositoryId: repository.id,
        namespace: repository.namespace,
        repository: repository.name,
        name: tag.name,
        imageId: tag.image.imageId,
        depth: tag.image.depth,
        hidden: tag.hidden,
        dead: !tag.hidden && tag.endTs !== null && tag.endTs <= DATASET_END_TS,
        defect: tag.defect,
        tagManifest: tag.tagManifest,
        labels: tag.labels.length,
      };
    }
  }
}

/** The defective tags only: repositorytag id -> defect. */
export function expectedSeedDefects(options: SeedOptions): Map<number, DefectClass> {
  const out = new Map<number, DefectClass>();
  for (const tag of planSeedTags(options)) if (tag.defect) out.set(tag.repositoryTagId, tag.defect);
  return out;
}
