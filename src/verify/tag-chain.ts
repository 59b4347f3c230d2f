import type { ChainStorage } from "./mapped-tag.js";

export interface ChainImageInfo {
  repositoryId: number;
  storageId: number | null;
  checksum: string | null;
}

/** The largest `image.id` (PostgreSQL integer): a larger number in `ancestors` names no row. */
const MAX_IMAGE_ID = 2147483647;

/**
 * Database ids in an `ancestors` path (`/` for a base image, else `/<root>/…/<parent>/`). Parts that
 * cannot be an image id (not digits, 0, beyond integer) name no image, so they are left out: the
 * chain is then incomplete, as the run found it (`invalid_ancestors`), and the id list stays a valid
 * `int[]` parameter.
 */
export function ancestorIds(ancestors: string | null): number[] {
  if (ancestors === null) return [];
  return ancestors
    .split("/")
    .filter((part) => /^\d+$/.test(part))
    .map(Number)
    .filter((id) => id >= 1 && id <= MAX_IMAGE_ID);
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
