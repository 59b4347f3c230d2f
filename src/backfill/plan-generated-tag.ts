import type { ChainLayer, GenerateResult } from "../manifest/generate-schema1.js";
import { MEDIA_TYPES } from "../manifest/media-types.js";
import type { LegacyImage } from "../manifest/rewrite-image-ids.js";
import type { ChainImage, LegacyTag } from "./batch-input.js";
import { chainBlobIndex, placeholderManifest } from "./plan-stored-tag.js";
import { generatedPullVerdict } from "./pull-rule.js";
import { storageDefects } from "./storage-defects.js";
import { brokenReasonOfGeneration, type BrokenReason } from "./reasons.js";
import type { ChainResolution } from "./resolve-chain.js";
import type { ImageRef, MapPlan, SynthesizedImage } from "./tag-plan.js";

export type ChainLayers =
  { ok: true; layers: ChainLayer[]; tarsum: boolean } | { ok: false; reason: BrokenReason; detail: string };

/**
 * The manifest layers of a resolved chain, leaf first: the first storage defect that blocks a manifest
 * (storage-defects.ts) makes none; a `tarsum+` checksum is used as it is, and flagged (see pull-rule.ts).
 */
export function chainLayers(chain: readonly ChainImage[]): ChainLayers {
  const layers: ChainLayer[] = [];
  let tarsum = false;
  for (const image of chain) {
    const defects = storageDefects(image);
    const blocking = defects.find((defect) => defect.blocks === true);
    if (blocking !== undefined) {
      const detail =
        blocking.reason === "null_storage"
          ? `image ${image.id} has no storage`
          : `image ${image.id}: ${blocking.detail}`;
      return { ok: false, reason: blocking.reason, detail };
    }
    if (defects.some((defect) => defect.reason === "tarsum_checksum")) tarsum = true;
    layers.push({ blobSum: image.storage?.checksum ?? "", v1Compatibility: image.v1JsonMetadata });
  }
  return { ok: true, layers, tarsum };
}

/**
 * The deterministic signing time (docs/domain-rules.md): the start of the first version of the tag over the same
 * image. Versions of a tag (same repository, name and image) share one manifest payload, hence one
 * `manifest` row per digest; signing them all at one time makes their bytes equal, so which batch
 * writes that row first no longer decides its bytes, and reruns with any batch size, order or
 * concurrency store identical bytes. Every batch reads the same time from the rows themselves.
 */
export function signingTimeOf(tag: LegacyTag): Date {
  return new Date(tag.signingStartTs * 1000);
}

/**
 * A tag with no stored manifest: the one generated from its chain, stored as a new tag manifest, with an
 * `image` row for every rewritten id (docs/domain-rules.md, v1 id rewrite); or Quay's placeholder when none
 * could be made.
 */
export function planGeneratedTag(
  tag: LegacyTag,
  resolution: ChainResolution,
  layers: ChainLayers,
  generated: GenerateResult | undefined,
): MapPlan {
  const base = {
    kind: "map" as const,
    tag,
    tagManifest: { kind: "create" as const },
    labels: [],
  };
  const ownImage: ImageRef = {
    kind: "image",
    imageId: tag.imageId,
    ancestors: resolution.ok ? (resolution.chain[0]?.ancestors ?? null) : null,
  };
  const broken = (reason: BrokenReason, detail: string): MapPlan => ({
    ...base,
    manifest: placeholderManifest(tag.id, ownImage),
    broken: true,
    reason,
    detail,
    images: [],
    rewrittenIds: 0,
  });
  if (!resolution.ok) return broken(resolution.reason, resolution.detail);
  if (!layers.ok) return broken(layers.reason, layers.detail);
  if (generated === undefined) throw new Error(`tag ${tag.id}: no manifest was generated`);
  if (!generated.ok) return broken(brokenReasonOfGeneration(generated.reason), generated.message);
  // Without a signer (a dry run, explain without the key) the manifest is unsigned by design: the plan
  // stands for what a signed run writes, so `unsigned` is not held against the chain.
  const unsignedByDesign = generated.mediaType === MEDIA_TYPES.schema1;
  const problemCodes = generated.problems
    .map((p) => p.code)
    .filter((code) => !(unsignedByDesign && code === "unsigned"));
  const pull = generatedPullVerdict(problemCodes, layers.tarsum);
  if (!pull.accepted) {
    return broken(
      "generation_failed",
      `the generated manifest breaks a rule of its own: ${pull.codes.join(", ")}`,
    );
  }

  const chain = resolution.chain;
  const blobIndex = chainBlobIndex(chain);
  const images = synthesizedImages(tag.repositoryId, chain, generated.legacyImages);
  const leaf = generated.legacyImages.at(-1);
  const legacyImage: ImageRef =
    leaf?.rewritten === true
      ? { kind: "synthesized", repositoryId: tag.repositoryId, dockerImageId: leaf.id }
      : ownImage;
  const notes: string[] = [];
  if (images.length > 0) notes.push(`${images.length} v1 id(s) rewritten`);
  if (generated.stripped) notes.push("metadata stripped to fit the size limit");
  if (problemCodes.length > 0)
    notes.push(`clients would refuse it: ${[...new Set(problemCodes)].join(", ")}`);
  return {
    ...base,
    manifest: {
      kind: "plan",
      digest: generated.digest,
      bytes: generated.bytes,
      mediaType: generated.mediaType,
      // One storage per distinct blobSum, chosen as Quay's manifest backfill chooses it.
      blobIds: [...new Set(layers.layers.map((layer) => blobIndex.get(layer.blobSum) as number))],
      legacyImage,
    },
    broken: false,
    reason: pull.reason,
    detail: notes.length > 0 ? notes.join("; ") : null,
    images,
    rewrittenIds: images.length,
  };
}

/**
 * `image` rows for the rewritten layers, base first. Rewriting is cumulative, so the first rewritten
 * layer's parent is an original row and every later one's parent is the previous synthesised row.
 */
function synthesizedImages(
  repositoryId: number,
  chain: readonly ChainImage[],
  legacyImages: readonly LegacyImage[],
): SynthesizedImage[] {
  const out: SynthesizedImage[] = [];
  const baseFirst = chain.slice().reverse();
  let parent: ImageRef | null = null;
  legacyImages.forEach((legacy, index) => {
    const original = baseFirst[index];
    if (original === undefined) throw new Error("the manifest core returned more images than layers");
    if (legacy.rewritten) {
      out.push({
        repositoryId,
        dockerImageId: legacy.id,
        parent,
        storageId: original.storageId as number,
        aggregateSize: original.aggregateSize,
        v1JsonMetadata: legacy.v1Compatibility,
        created: original.created,
        comment: original.comment,
        command: original.command,
      });
      parent = { kind: "synthesized", repositoryId, dockerImageId: legacy.id };
    } else {
      parent = { kind: "image", imageId: original.id, ancestors: original.ancestors };
    }
  });
  return out;
}
