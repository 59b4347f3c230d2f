import type { ChainImage, LegacyTag } from "../backfill/batch-input.js";
import type { BatchFacts } from "../backfill/load-batch.js";
import { holdsOwnPlaceholder, type TagPlan } from "../backfill/tag-plan.js";
import { MalformedManifestError } from "../manifest/errors.js";
import { MEDIA_TYPES } from "../manifest/media-types.js";
import { parseSchema1 } from "../manifest/parse-schema1.js";
import { readStoredManifest } from "../backfill/plan-stored-tag.js";
import type { MappedTag } from "../verify/mapped-tag.js";
import { readV1 } from "../manifest/v1-id-rules.js";
import { chainDefects, type Defect } from "./chain-defects.js";

export interface ExplainLayer {
  imageId: number;
  dockerImageId: string;
  repositoryId: number;
  storageId: number | null;
  checksum: string | null;
  uploading: boolean | null;
  /** Bytes of v1_json_metadata (UTF-8); null when the column is null. */
  v1JsonBytes: number | null;
  /** `object`, or what the manifest core refuses: `not_json`, `not_object`, `no_id`; `absent` when null. */
  v1Json: string;
}

export interface ExplainManifest {
  digest: string;
  mediaType: string;
  sizeBytes: number;
  signed: boolean;
  placeholder: boolean;
  stripped: boolean;
  /** Blob storage ids (planned) or manifestblob rows (written). */
  blobs: number;
  bytes?: string;
}

export interface ExplainReport {
  tag: {
    repositoryTagId: number;
    display: string;
    alive: boolean;
    hidden: boolean;
    reversion: boolean;
    lifetimeStartTs: number;
    lifetimeEndTs: number | null;
    imageId: number;
    /** Why this row when the name is ambiguous (dead lifetimes); null when one row has the name. */
    picked: string | null;
  };
  chain: ExplainLayer[];
  storedManifest: {
    tagManifestId: number;
    digest: string;
    sizeBytes: number;
    linkedManifestId: number | null;
    /** The placeholder a run wrote for this tag (`BROKEN-<id>`): an outcome, not a manifest it had. */
    placeholder: boolean;
  } | null;
  defects: Defect[];
  /** What a run would do now (a mapped tag: skipped, already_mapped). */
  plan: {
    outcome: "backfilled" | "backfilled_broken" | "skipped" | "failed";
    reason: string | null;
    detail: string | null;
    source: "generated" | "stored" | "linked" | null;
    manifest: ExplainManifest | null;
    rewrittenIds: { from: string; to: string }[];
    synthesizedImages: number;
    labels: number;
  };
  /** The rows a run wrote, for a mapped tag. */
  mapped: {
    tagId: number | null;
    tagManifestId: number | null;
    manifestId: number | null;
    broken: boolean | null;
    manifest: ExplainManifest | null;
    legacyImage: { imageId: number; dockerImageId: string | null } | null;
    outcome: { outcome: string; reason: string | null; detail: string | null } | null;
  } | null;
  /** Facts about how the explanation was made (e.g. a throwaway signing key). */
  notes: string[];
}

export interface ExplainInput {
  tag: LegacyTag;
  picked: string | null;
  alive: boolean;
  facts: BatchFacts;
  plan: TagPlan;
  mapped: MappedTag | null;
  writtenManifest: { bytes: string; blobs: number } | null;
  showManifest: boolean;
  notes: string[];
}

/** Assembles what `backfill explain` shows from the loaded facts, the core's plan and the mapped rows. */
export function explainTag(input: ExplainInput): ExplainReport {
  const { tag, facts, plan } = input;
  const resolution = facts.resolutions.get(tag.id);
  const chain: readonly ChainImage[] =
    resolution === undefined ? [] : resolution.ok ? resolution.chain : resolution.found;
  const defects = chainDefects(resolution, chain, facts.repositoryImages.get(tag.repositoryId) ?? new Map());
  const loadError = facts.errors.get(tag.id);
  if (loadError !== undefined) defects.push({ code: "load_error", detail: loadError });
  // A linked tag's tagmanifest is not read by the planner; explain reads it all the same. Not so the
  // placeholder a run wrote (`{}` is no manifest by design, not a defect of the tag), nor any tag manifest
  // of a tag a run mapped: it may be the run's own (generated), and the run recorded, below, what it
  // found in a stored one.
  const ownPlaceholder = holdsOwnPlaceholder(tag);
  const readable = tag.tagManifest !== null && !ownPlaceholder && input.mapped?.outcome == null;
  const stored =
    facts.stored.get(tag.id) ??
    (readable && tag.tagManifest !== null ? readStoredManifest(tag.tagManifest.json) : undefined);
  if (stored !== undefined && !stored.ok)
    defects.push({ code: "unparseable_stored_manifest", detail: stored.detail });
  if (stored?.ok === true && stored.problems.length > 0) {
    defects.push({
      code: "stored_not_pullable",
      detail: `clients would refuse it: ${stored.problems.join(", ")}`,
    });
  }
  if (plan.kind === "map" && plan.reason !== null && !defects.some((d) => d.code === plan.reason)) {
    defects.push({ code: plan.reason, detail: plan.detail ?? "" });
  }
  const recorded = input.mapped?.outcome;
  if (recorded?.reason != null && !defects.some((d) => d.code === recorded.reason)) {
    defects.push({ code: recorded.reason, detail: `recorded by the run: ${recorded.detail ?? ""}` });
  }
  return {
    tag: {
      repositoryTagId: tag.id,
      display: `${tag.namespace}/${tag.repository}:${tag.name}`,
      alive: input.alive,
      hidden: tag.hidden,
      reversion: tag.reversion,
      lifetimeStartTs: tag.lifetimeStartTs,
      lifetimeEndTs: tag.lifetimeEndTs,
      imageId: tag.imageId,
      picked: input.picked,
    },
    chain: chain.map(layerOf),
    storedManifest:
      tag.tagManifest === null
        ? null
        : {
            tagManifestId: tag.tagManifest.id,
            digest: tag.tagManifest.digest,
            sizeBytes: Buffer.byteLength(tag.tagManifest.json, "utf8"),
            linkedManifestId: tag.manifestLink?.manifestId ?? null,
            placeholder: ownPlaceholder,
          },
    defects,
    plan: planSummary(plan, chain, input.showManifest),
    mapped: mappedSummary(input),
    notes: input.notes,
  };
}

function layerOf(image: ChainImage): ExplainLayer {
  return {
    imageId: image.id,
    dockerImageId: image.dockerImageId,
    repositoryId: image.repositoryId,
    storageId: image.storageId,
    checksum: image.storage?.checksum ?? null,
    uploading: image.storage?.uploading ?? null,
    v1JsonBytes: image.v1JsonMetadata === null ? null : Buffer.byteLength(image.v1JsonMetadata, "utf8"),
    v1Json: readV1(image.v1JsonMetadata).kind,
  };
}

function planSummary(
  plan: TagPlan,
  chain: readonly ChainImage[],
  showManifest: boolean,
): ExplainReport["plan"] {
  const none = { source: null, manifest: null, rewrittenIds: [], synthesizedImages: 0, labels: 0 };
  if (plan.kind === "skip") return { outcome: "skipped", reason: plan.reason, detail: plan.detail, ...none };
  if (plan.kind === "fail") return { outcome: "failed", reason: plan.reason, detail: plan.detail, ...none };
  const source =
    plan.manifest.kind === "linked" ? "linked" : plan.tagManifest.kind === "create" ? "generated" : "stored";
  const manifest =
    plan.manifest.kind === "linked"
      ? null
      : manifestSummary(
          { digest: plan.manifest.digest, mediaType: plan.manifest.mediaType, bytes: plan.manifest.bytes },
          plan.manifest.blobIds.length,
          (plan.detail ?? "").includes("metadata stripped"),
          showManifest,
        );
  return {
    outcome: plan.broken ? "backfilled_broken" : "backfilled",
    reason: plan.reason,
    detail: plan.detail,
    source,
    manifest,
    rewrittenIds:
      source === "generated" && plan.manifest.kind === "plan" ? rewrittenIds(chain, plan.manifest.bytes) : [],
    synthesizedImages: plan.images.length,
    labels: plan.labels.length,
  };
}

function manifestSummary(
  m: { digest: string; mediaType: string | null; bytes: string },
  blobs: number,
  stripped: boolean,
  showManifest: boolean,
): ExplainManifest {
  const placeholder = m.digest.startsWith("BROKEN-");
  return {
    digest: m.digest,
    mediaType: m.mediaType ?? "unknown",
    sizeBytes: Buffer.byteLength(m.bytes, "utf8"),
    signed: !placeholder && m.mediaType === MEDIA_TYPES.schema1Signed,
    placeholder,
    stripped,
    blobs,
    ...(showManifest ? { bytes: m.bytes } : {}),
  };
}

/**
 * The ids the manifest names against the ids the chain's stored metadata claims, leaf first: where they
 * differ, the v1 id rewrite changed the id. Read from the planned bytes, so it is what would really be
 * written.
 */
export function rewrittenIds(chain: readonly ChainImage[], bytes: string): { from: string; to: string }[] {
  let ids: (string | undefined)[];
  try {
    ids = parseSchema1(bytes).layers.map((layer) => {
      const id = layer.v1.get("id");
      return typeof id === "string" ? id : undefined;
    });
  } catch (err) {
    if (err instanceof MalformedManifestError) return [];
    throw err;
  }
  const out: { from: string; to: string }[] = [];
  chain.forEach((image, index) => {
    const v1 = readV1(image.v1JsonMetadata);
    const from = v1.kind === "object" ? v1.id : "(none)";
    const to = ids[index];
    if (to !== undefined && to !== from) out.push({ from, to });
  });
  return out;
}

function mappedSummary(input: ExplainInput): ExplainReport["mapped"] {
  const mapped = input.mapped;
  if (mapped === null) return null;
  const written = input.writtenManifest;
  return {
    tagId: mapped.tag?.id ?? null,
    tagManifestId: mapped.tagManifest?.id ?? null,
    manifestId: mapped.manifest?.id ?? null,
    broken: mapped.mapping?.broken ?? null,
    manifest:
      mapped.manifest === null || written === null
        ? null
        : manifestSummary(
            { digest: mapped.manifest.digest, mediaType: mapped.manifest.mediaType, bytes: written.bytes },
            written.blobs,
            (mapped.outcome?.detail ?? "").includes("metadata stripped"),
            input.showManifest,
          ),
    legacyImage:
      mapped.legacyImage === null
        ? null
        : { imageId: mapped.legacyImage.imageId, dockerImageId: mapped.legacyImage.dockerImageId },
    outcome: mapped.outcome,
  };
}
