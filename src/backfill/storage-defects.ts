import type { BrokenReason, NoteReason } from "../reason-registry.js";
import type { ChainImage } from "./batch-input.js";
import { isQuayDigest } from "./pull-rule.js";

/**
 * What is wrong with the storage of one image of a chain, as a reason of the registry: one that blocks
 * any manifest from the chain, or one noted (a `tarsum+` checksum is used as it is). The detail is about
 * the storage; whoever reports it names the image.
 */
export type StorageDefect =
  | { blocks: true; reason: BrokenReason; detail: string }
  | { blocks: false; reason: NoteReason; detail: string };

/**
 * The one rule on a layer's storage (docs/domain-rules.md, the image chain), read by the planner (the first
 * blocking defect of the chain makes the placeholder) and by explain (every defect of every layer): a
 * storage missing, still uploading, without a checksum or with one that is not a digest means no manifest;
 * a `tarsum+` checksum is used as it is, as Quay did (see pull-rule.ts).
 */
export function storageDefects(image: ChainImage): readonly StorageDefect[] {
  if (image.storageId === null || image.storage === null) {
    return [{ reason: "null_storage", blocks: true, detail: "no storage" }];
  }
  const { uploading, checksum } = image.storage;
  const usable = checksum !== null && checksum !== "" && isQuayDigest(checksum);
  // The common case, once per layer of every tag: nothing to report, nothing allocated.
  if (uploading !== true && usable && !checksum.startsWith("tarsum")) return NONE;
  const storage = `storage ${image.storageId}`;
  const defects: StorageDefect[] = [];
  if (uploading === true) {
    defects.push({ reason: "uploading_storage", blocks: true, detail: `${storage} is still uploading` });
  }
  if (checksum === null || checksum === "") {
    defects.push({ reason: "missing_checksum", blocks: true, detail: `${storage} has no checksum` });
  } else if (!usable) {
    const detail = `${storage} has checksum ${JSON.stringify(checksum)}, not a digest`;
    defects.push({ reason: "invalid_checksum", blocks: true, detail });
  } else if (checksum.startsWith("tarsum")) {
    defects.push({ reason: "tarsum_checksum", blocks: false, detail: `${storage}: ${checksum}` });
  }
  return defects;
}

const NONE: readonly StorageDefect[] = Object.freeze([]);
