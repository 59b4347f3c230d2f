import type { LegacyTag, TagManifestLabel } from "./batch-input.js";
import type { FailReason, OutcomeReason, SkipReason } from "./reasons.js";

/** The image a manifest's `manifestlegacyimage` points at: an existing row, or one synthesised here. */
export type ImageRef =
  | { kind: "image"; imageId: number; ancestors: string | null }
  | { kind: "synthesized"; repositoryId: number; dockerImageId: string };

/**
 * An `image` row for a rewritten v1 id (Quay's `synthesize_v1_image`): the storage and descriptive
 * columns of the layer's original row, the rewritten JSON, and `ancestors` = parent's ancestors + parent's
 * id + `/`, resolved at write time because the parent may itself be new.
 */
export interface SynthesizedImage {
  repositoryId: number;
  dockerImageId: string;
  parent: ImageRef | null;
  storageId: number;
  /** Copied: the chain below the layer is the same, so the sum of its sizes is too. */
  aggregateSize: number | null;
  v1JsonMetadata: string;
  created: Date | null;
  comment: string | null;
  command: string | null;
}

/** A `manifest` row to find or create, with what goes with it when it is created. */
export interface ManifestPlan {
  digest: string;
  bytes: string;
  mediaType: string;
  /** `imagestorage` ids, distinct. */
  blobIds: number[];
  legacyImage: ImageRef;
}

export interface MapPlan {
  kind: "map";
  tag: LegacyTag;
  /** The stored tag manifest, or a new one holding the manifest's bytes. */
  tagManifest: { kind: "existing"; id: number } | { kind: "create" };
  /** The manifest Quay already linked the tag manifest to, or the one to find or create. */
  manifest: { kind: "linked"; id: number; digest: string } | ({ kind: "plan" } & ManifestPlan);
  broken: boolean;
  reason: OutcomeReason | null;
  detail: string | null;
  /** Rows for rewritten ids, base first. */
  images: SynthesizedImage[];
  labels: TagManifestLabel[];
  rewrittenIds: number;
}

export type TagPlan =
  | MapPlan
  | { kind: "skip"; tag: LegacyTag; reason: SkipReason; detail: string | null }
  | { kind: "fail"; tag: LegacyTag; reason: FailReason; detail: string };

/** Quay's placeholder digest for a tag whose manifest cannot be produced. */
export function placeholderDigest(repositoryTagId: number): string {
  return `BROKEN-${repositoryTagId}`;
}

/**
 * Whether the tag's `tagmanifest` is the placeholder a run wrote for it (`BROKEN-<its id>`, `{}`): an
 * outcome of a backfill, not a manifest the tag had, so it is neither read nor judged as stored data.
 */
export function holdsOwnPlaceholder(tag: LegacyTag): boolean {
  return tag.tagManifest !== null && tag.tagManifest.digest === placeholderDigest(tag.id);
}
