import type { Prng } from "./prng.js";
import type { DefectClass } from "./seed-options.js";

/** How a storage defect class writes the storage row of the layer it picks. */
export interface StorageFlaw {
  /** The row's content_checksum, from the 64 random hex digits the layer draws for its blob. */
  checksum(hex: string, prng: Prng): string | null;
  uploading?: true;
}

/**
 * Every seed defect class that flaws one storage of the tag's private layers, and how: a new such class
 * is a row here (and its entry in src/reason-registry.ts); plan-chain.ts picks the layer, render-image.ts
 * writes it. Draws stay in order: the hex is drawn for every layer, a flaw draws after it.
 */
export const STORAGE_FLAWS = {
  "storage-uploading": { checksum: (hex) => `sha256:${hex}`, uploading: true },
  "storage-no-checksum": { checksum: () => null },
  tarsum: { checksum: (hex) => `tarsum+sha256:${hex}` },
  "checksum-not-sha256": { checksum: (hex) => `md5:${hex.slice(0, 32)}` },
  "checksum-not-digest": {
    checksum: (hex, prng) => prng.pick([hex, `sha256:${hex.slice(0, 63)}z`, "sha256:"]),
  },
} as const satisfies Partial<Record<DefectClass, StorageFlaw>>;

export type StorageFlawClass = keyof typeof STORAGE_FLAWS;

export function isStorageFlawClass(defect: DefectClass): defect is StorageFlawClass {
  return Object.hasOwn(STORAGE_FLAWS, defect);
}
