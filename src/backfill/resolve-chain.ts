import type { ChainImage } from "./batch-input.js";
import { parseAncestors } from "../manifest/v1-id-rules.js";
import type { BrokenReason } from "./reasons.js";

export type ChainResolution =
  | { ok: true; chain: ChainImage[] }
  /** `found` holds what could be loaded, leaf first: the stored-manifest path still uses its storages. */
  | { ok: false; reason: BrokenReason; detail: string; found: ChainImage[] };

/**
 * The tag's image, then its parents nearest first (docs/domain-rules.md), all in the tag's repository, as
 * Quay's `get_parent_images` reads them. A parent absent or in another repository is `missing_parent`.
 */
export function resolveChain(
  repositoryId: number,
  leafImageId: number,
  images: ReadonlyMap<number, ChainImage>,
): ChainResolution {
  const leaf = images.get(leafImageId);
  if (leaf === undefined) {
    return { ok: false, reason: "missing_parent", detail: `image ${leafImageId} not found`, found: [] };
  }
  if (leaf.repositoryId !== repositoryId) {
    const detail = `image ${leaf.id} belongs to repository ${leaf.repositoryId}, not ${repositoryId}`;
    return { ok: false, reason: "foreign_image", detail, found: [] };
  }
  const ancestorIds = parseAncestors(leaf.ancestors);
  if (ancestorIds === undefined) {
    const detail = `image ${leaf.id} has ancestors ${JSON.stringify(leaf.ancestors)}`;
    return { ok: false, reason: "invalid_ancestors", detail, found: [leaf] };
  }
  const chain: ChainImage[] = [leaf];
  const missing: number[] = [];
  for (let i = ancestorIds.length - 1; i >= 0; i--) {
    const id = ancestorIds[i] as number;
    const parent = images.get(id);
    if (parent === undefined || parent.repositoryId !== repositoryId) missing.push(id);
    else chain.push(parent);
  }
  if (missing.length > 0) {
    const detail = `image ${leaf.id}: parent image ${missing.join(", ")} missing from repository ${repositoryId}`;
    return { ok: false, reason: "missing_parent", detail, found: chain };
  }
  return { ok: true, chain };
}
