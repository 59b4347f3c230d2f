import type { ChainStorage } from "./mapped-tag.js";

export interface ChainImageInfo {
  repositoryId: number;
  storageId: number | null;
  checksum: string | null;
}

/** Database ids in an `ancestors` path (`/` for a base image, else `/<root>/…/<parent>/`). */
export function ancestorIds(ancestors: string | null): number[] {
  if (ancestors === null) return [];
  return ancestors
    .split("/")
    .filter((part) => /^\d+$/.test(part))
    .map(Number);
}

/**
 * docs/domain-rules.md: the chain is the tag's image and its ancestors, same repository only. Returns their
 * storages (the first place blobs are resolved from); images that are missing or elsewhere are simply not in
 * it.
 */
export function chainStorages(
  leafImageId: number,
  leafAncestors: string | null,
  repositoryId: number,
  images: ReadonlyMap<number, ChainImageInfo>,
): ChainStorage[] {
  const storages: ChainStorage[] = [];
  for (const id of [leafImageId, ...ancestorIds(leafAncestors)]) {
    const image = images.get(id);
    if (image === undefined || image.repositoryId !== repositoryId || image.storageId === null) continue;
    storages.push({ storageId: image.storageId, checksum: image.checksum });
  }
  return storages;
}
