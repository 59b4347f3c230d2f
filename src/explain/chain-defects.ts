import type { ChainImage } from "../backfill/batch-input.js";
import type { ChainResolution } from "../backfill/resolve-chain.js";
import { storageDefects } from "../backfill/storage-defects.js";
import type { DefectCode } from "../reason-registry.js";
import { collidesWithRepositoryImage, isValidV1Id, readV1, type V1Reading } from "../manifest/v1-id-rules.js";

/** One defect found in a tag's legacy data, under a short stable code. */
export interface Defect {
  /** A DefectCode, or a reason a run recorded (any string the ledger holds). */
  code: string;
  /** The image (database id) it is about, when it is about one layer. */
  imageId?: number;
  detail: string;
}

/**
 * Every defect of docs/domain-rules.md (the image chain, v1 id rewrite) in the chain as loaded (leaf first),
 * found independently of the planner's first-refusal order, so an operator sees all of them at once.
 * `repositoryImages` maps v1 id to the checksum of an image the repository already holds (Quay's collision
 * rule).
 */
export function chainDefects(
  resolution: ChainResolution | undefined,
  chain: readonly ChainImage[],
  repositoryImages: ReadonlyMap<string, string>,
): Defect[] {
  const defects: Defect[] = [];
  if (resolution !== undefined && !resolution.ok) {
    defects.push({ code: resolution.reason, detail: resolution.detail });
  }
  const readings = chain.map((image) => readV1(image.v1JsonMetadata));
  const seen = new Map<string, number>();
  chain.forEach((image, index) => {
    const at = (code: DefectCode, detail: string) => defects.push({ code, imageId: image.id, detail });
    const checksum = image.storage?.checksum ?? null;
    for (const defect of storageDefects(image)) {
      at(
        defect.reason,
        defect.reason === "null_storage" ? `image ${image.id} has no storage` : defect.detail,
      );
    }
    const v1 = readings[index] as V1Reading;
    switch (v1.kind) {
      case "absent":
        break;
      case "not_json":
        at("v1_not_json", "v1_json_metadata is not JSON");
        return;
      case "not_object":
        at("v1_not_object", "v1_json_metadata is not a JSON object");
        return;
      case "no_id":
        at("v1_missing_id", "v1_json_metadata has no string id");
        return;
      case "object":
        break;
    }
    if (v1.kind !== "object") return;
    if (!isValidV1Id(v1.id)) at("invalid_v1_id", `id ${JSON.stringify(v1.id)} is not 64 lower-case hex`);
    const existing = repositoryImages.get(v1.id);
    if (checksum !== null && collidesWithRepositoryImage(repositoryImages, v1.id, checksum)) {
      at(
        "v1_id_collision",
        `id ${v1.id} is already an image of the repository over blob ${existing || "(none)"}`,
      );
    }
    const earlier = seen.get(v1.id);
    if (earlier !== undefined && earlier !== index - 1) {
      at("repeated_v1_id", `id ${v1.id} repeats layer ${earlier} (not adjacent)`);
    }
    if (!seen.has(v1.id)) seen.set(v1.id, index);
    const below = readings[index + 1];
    const expectedParent = below?.kind === "object" ? below.id : undefined;
    // With a parent missing, the next loaded layer is not the parent: links are judged on whole chains.
    const whole = resolution?.ok === true;
    if (whole && index + 1 < chain.length && below?.kind === "object" && v1.parent !== expectedParent) {
      at(
        "chain_link_mismatch",
        `parent ${v1.parent ?? "(none)"}, the next layer's id is ${expectedParent ?? "?"}`,
      );
    }
    if (whole && index + 1 === chain.length && v1.parent !== undefined) {
      at("chain_link_mismatch", `the root layer names parent ${v1.parent}`);
    }
  });
  return defects;
}
