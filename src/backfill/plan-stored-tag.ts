import { MalformedManifestError } from "../manifest/errors.js";
import { MEDIA_TYPES } from "../manifest/media-types.js";
import { parseManifest } from "../manifest/parse-manifest.js";
import { pullCheck } from "../manifest/pull-check.js";
import type { ChainImage, LegacyTag, TagManifestLabel } from "./batch-input.js";
import type { ChainResolution } from "./resolve-chain.js";
import { placeholderDigest, type ImageRef, type ManifestPlan, type MapPlan } from "./tag-plan.js";

export type StoredManifest =
  | {
      ok: true;
      digest: string;
      mediaType: string;
      blobSums: string[];
      /** Codes of what a client would refuse (docs/signature-and-pull-rules.md), e.g. `unsigned`. */
      problems: string[];
    }
  | { ok: false; detail: string };

/**
 * A stored `tagmanifest.json_data` as docs/domain-rules.md reads it: the digest recomputed from the bytes,
 * the media type by presence of signatures, and the distinct blobs it references. Not a manifest →
 * `ok: false`.
 */
export function readStoredManifest(json: string): StoredManifest {
  try {
    const parsed = parseManifest(json);
    switch (parsed.kind) {
      case "schema1":
        return {
          ok: true,
          digest: parsed.digest,
          mediaType: parsed.mediaType,
          blobSums: distinct(parsed.layers.map((layer) => layer.blobSum)),
          problems: distinct(pullCheck(parsed).map((problem) => problem.code)),
        };
      case "schema2":
      case "oci-manifest":
        return {
          ok: true,
          digest: parsed.digest,
          mediaType: parsed.mediaType,
          blobSums: distinct([parsed.config.digest, ...parsed.layers.map((layer) => layer.digest)]),
          problems: [],
        };
      case "manifest-list":
      case "oci-index":
        // A list has no blobs of its own; its children are manifests, which a legacy tag never held.
        return { ok: true, digest: parsed.digest, mediaType: parsed.mediaType, blobSums: [], problems: [] };
    }
  } catch (err) {
    if (err instanceof MalformedManifestError) return { ok: false, detail: `${err.code}: ${err.message}` };
    throw err;
  }
}

/** Storage ids by checksum over the images of the chain that could be loaded (Quay's order: base wins). */
export function chainBlobIndex(found: readonly ChainImage[]): Map<string, number> {
  const index = new Map<string, number>();
  for (const image of found) {
    const checksum = image.storage?.checksum;
    if (checksum && image.storageId !== null) index.set(checksum, image.storageId);
  }
  return index;
}

export function chainOf(resolution: ChainResolution): readonly ChainImage[] {
  return resolution.ok ? resolution.chain : resolution.found;
}

/** The blob digests of a stored manifest that its chain does not hold: looked up in the repository. */
export function blobsOutsideChain(stored: StoredManifest, resolution: ChainResolution): string[] {
  if (!stored.ok) return [];
  const index = chainBlobIndex(chainOf(resolution));
  return stored.blobSums.filter((sum) => !index.has(sum));
}

/**
 * A tag with a stored tag manifest (docs/domain-rules.md, case 2). Already linked by Quay: the link is
 * reused. Otherwise the manifest row takes the stored bytes unchanged; its blobs come from the chain by
 * checksum, else from the repository; a blob found nowhere, or a chain that cannot be loaded, makes the
 * mapping broken (Quay's `is_broken`). Bytes that are no manifest get Quay's placeholder.
 */
export function planStoredTag(
  tag: LegacyTag & { tagManifest: NonNullable<LegacyTag["tagManifest"]> },
  resolution: ChainResolution,
  stored: StoredManifest,
  repositoryBlobs: ReadonlyMap<string, number>,
  labels: TagManifestLabel[],
): MapPlan {
  const base = {
    kind: "map" as const,
    tag,
    tagManifest: { kind: "existing" as const, id: tag.tagManifest.id },
    images: [],
    labels,
    rewrittenIds: 0,
  };
  if (tag.manifestLink !== null) {
    const broken = tag.manifestLink.broken;
    return {
      ...base,
      manifest: { kind: "linked", id: tag.manifestLink.manifestId, digest: tag.manifestLink.digest },
      broken,
      reason: broken ? "existing_broken_mapping" : null,
      detail: `reused manifest ${tag.manifestLink.manifestId} already linked to tag manifest ${tag.tagManifest.id}`,
    };
  }
  const legacyImage = leafRef(tag, resolution);
  if (!stored.ok) {
    // Quay's placeholder (docs/domain-rules.md), not its BrokenManifest(stored digest, stored bytes): corrupt
    // bytes under a real digest would be reused by every other tag of the repository with that digest.
    return {
      ...base,
      manifest: placeholderManifest(tag.id, legacyImage),
      broken: true,
      reason: "unparseable_stored_manifest",
      detail: stored.detail,
    };
  }
  const chainIndex = chainBlobIndex(chainOf(resolution));
  const blobIds = new Set<number>();
  const missing: string[] = [];
  for (const sum of stored.blobSums) {
    const id = chainIndex.get(sum) ?? repositoryBlobs.get(sum);
    if (id === undefined) missing.push(sum);
    else blobIds.add(id);
  }
  const manifest = {
    kind: "plan" as const,
    digest: stored.digest,
    bytes: tag.tagManifest.json,
    mediaType: stored.mediaType,
    blobIds: [...blobIds],
    legacyImage,
  };
  if (missing.length > 0) {
    const detail = `blob ${missing.join(", ")} not found in the repository`;
    return { ...base, manifest, broken: true, reason: "missing_blob", detail };
  }
  if (!resolution.ok) {
    return { ...base, manifest, broken: true, reason: resolution.reason, detail: resolution.detail };
  }
  const tarsum = stored.blobSums.some((sum) => sum.startsWith("tarsum"));
  if (tarsum) {
    const detail = "a blobSum is a tarsum: current clients cannot pull this manifest";
    return { ...base, manifest, broken: false, reason: "tarsum_checksum", detail };
  }
  if (stored.problems.length > 0) {
    const detail = `stored manifest kept as it is; clients would refuse it: ${stored.problems.join(", ")}`;
    return { ...base, manifest, broken: false, reason: "stored_not_pullable", detail };
  }
  return { ...base, manifest, broken: false, reason: null, detail: null };
}

/** Quay's placeholder manifest: `BROKEN-<repositorytag id>`, `{}`, signed-schema1 media type, no blobs. */
export function placeholderManifest(
  repositoryTagId: number,
  legacyImage: ImageRef,
): { kind: "plan" } & ManifestPlan {
  return {
    kind: "plan",
    digest: placeholderDigest(repositoryTagId),
    bytes: "{}",
    mediaType: MEDIA_TYPES.schema1Signed,
    blobIds: [],
    legacyImage,
  };
}

/** The tag's own image, as Quay links it (`tag.image`). */
export function leafRef(tag: LegacyTag, resolution: ChainResolution): ImageRef {
  const leaf = chainOf(resolution)[0];
  return { kind: "image", imageId: tag.imageId, ancestors: leaf?.ancestors ?? null };
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}
