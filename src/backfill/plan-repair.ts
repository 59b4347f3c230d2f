import { createHash } from "node:crypto";
import type { ManifestParts } from "../db/load-manifest-parts.js";
import type { MappedState } from "../db/load-mapped-states.js";
import type { RefusalCode } from "../reason-registry.js";
import { readStoredManifest } from "./plan-stored-tag.js";
import type { ImageRef, ManifestPlan, MapPlan, SynthesizedImage } from "./tag-plan.js";
import { manifestKey } from "./write-rows.js";

/** One row value `reprocess` changes: printed by `--dry-run`, summarised in the tag's outcome. */
export interface RepairChange {
  repositoryTagId: number;
  table: string;
  column: string;
  /** The row's id, or `new` for a row to insert. */
  row: string;
  old: string;
  new: string;
}

/** What to write for one tag, executed in its own savepoint by applyRepair. */
export interface RepairActions {
  /** `image` rows for rewritten ids (only when a manifest is generated anew). */
  images: SynthesizedImage[];
  /** The manifest the tag ends on: the current row, another existing one, or one to create. */
  target: { kind: "existing"; id: number; bytes: string } | { kind: "create"; manifest: ManifestPlan };
  repositoryId: number;
  digest: string;
  addBlobIds: number[];
  addLegacyImage: ImageRef | null;
  /** Replace the target's bytes (and media type) with the plan's: the stored tag manifest's, or a placeholder's `{}`. */
  setBytes: { bytes: string; mediaType: string } | null;
  /** Replace the placeholder tag manifest's digest and json with the target's. */
  tagManifest: { id: number; oldDigest: string } | null;
  /** Repoint the link to the target, and/or set its broken flag (null: leave it). */
  link: { id: number; oldManifestId: number; repoint: boolean; broken: boolean | null };
  /** Point the `tag` row at the target. */
  tag: { id: number; oldManifestId: number | null } | null;
  /** Carry the tag manifest's labels to the target (maps repointed, missing ones added). */
  tagManifestLabels: { tagManifestId: number; repoint: boolean; add: MapPlan["labels"] };
  /** The placeholder row left behind, deleted only if nothing references it any more. */
  deletePlaceholder: number | null;
}

export type RepairPlan =
  | { kind: "unchanged" }
  | { kind: "refused"; code: RefusalCode; detail: string }
  | { kind: "repair"; actions: RepairActions; changes: RepairChange[]; notes: string[] };

export interface RepairInput {
  /** The plan of the tag as if unmapped (load-batch `recomputable`). */
  plan: MapPlan;
  state: MappedState;
  /** Manifest rows by manifestKey: the current one and the plan's digest, where they exist. */
  manifests: ReadonlyMap<string, ManifestParts>;
  /** Checksums of the plan's blob storages. */
  checksums: ReadonlyMap<number, string>;
  /** `repositoryId:dockerImageId` of the plan's synthesised images that already exist. */
  existingImages: ReadonlySet<string>;
  now: Date;
}

export function isPlaceholderDigest(digest: string | null | undefined): boolean {
  return digest?.startsWith("BROKEN-") === true;
}

/**
 * Compares what a first backfill would write for a mapped tag today with the rows it has, and decides the
 * repair (docs/domain-rules.md, refused repairs): a placeholder replaced by the manifest its fixed data now
 * yields, missing blob and legacy image rows added, the broken flag corrected, a manifest's bytes set to the
 * plan's (the stored tag manifest's, or a placeholder's `{}`, never the unreadable text a placeholder stands
 * in for) when no other tag uses the row (Quay's repair). A manifest's digest under a tag is never changed
 * unless it is a placeholder; a row another tag uses is never deleted. Pure.
 */
export function planRepair(input: RepairInput): RepairPlan {
  const { plan, state } = input;
  const rt = plan.tag.id;
  const { tag, tagManifest, link, manifest: current } = state;
  if (tag === null || tagManifest === null || link === null || current === null) {
    const missing = [
      tag === null ? "tag" : null,
      tagManifest === null ? "tagmanifest" : null,
      link === null || current === null ? "tagmanifesttomanifest/manifest" : null,
    ].filter((x) => x !== null);
    return { kind: "refused", code: "inconsistent_mapping", detail: `no ${missing.join(", ")} row` };
  }
  if (plan.manifest.kind !== "plan") {
    return { kind: "refused", code: "inconsistent_mapping", detail: "the plan reused a link" };
  }
  const wanted = plan.manifest;
  const end = plan.tag.lifetimeEndTs;
  const live = end === null || end * 1000 > input.now.getTime();
  const digestCode = live ? "would_change_digest_under_live_tag" : "would_change_digest";
  const fromPlaceholder = isPlaceholderDigest(current.digest);
  const moving = current.digest !== wanted.digest;
  if (moving && !fromPlaceholder) {
    const detail = `manifest ${current.id} has digest ${current.digest}; recomputed: ${wanted.digest}`;
    return { kind: "refused", code: digestCode, detail };
  }
  const tagRowOk =
    tag.manifestId === null ||
    tag.manifestId === current.id ||
    isPlaceholderDigest(tag.manifestDigest) ||
    tag.manifestDigest === wanted.digest;
  if (!tagRowOk) {
    const detail = `tag ${tag.id} points at manifest ${tag.manifestId ?? "none"} (${tag.manifestDigest ?? "?"}), its mapping at ${current.id} (${current.digest})`;
    return { kind: "refused", code: digestCode, detail };
  }

  const key = manifestKey(plan.tag.repositoryId, wanted.digest);
  const existing = input.manifests.get(key);
  if (!moving && existing === undefined) {
    const detail = `manifest ${current.id} is not in repository ${plan.tag.repositoryId}`;
    return { kind: "refused", code: "inconsistent_mapping", detail };
  }
  const changes: RepairChange[] = [];
  const notes: string[] = [];
  const change = (table: string, column: string, row: string | number, old: string, now: string) =>
    changes.push({ repositoryTagId: rt, table, column, row: String(row), old, new: now });
  const targetLabel = existing === undefined ? `new (${wanted.digest})` : `${existing.id} (${wanted.digest})`;
  const currentLabel = `${current.id} (${current.digest})`;

  const newImages = moving
    ? plan.images.filter((i) => !input.existingImages.has(`${i.repositoryId}:${i.dockerImageId}`))
    : [];
  for (const image of newImages) change("image", "docker_image_id", "new", "-", image.dockerImageId);

  if (existing === undefined) change("manifest", "digest", "new", "-", wanted.digest);
  const addBlobIds = missingBlobs(wanted, existing, input.checksums);
  const target = existing === undefined ? `new (${wanted.digest})` : String(existing.id);
  for (const id of addBlobIds) change("manifestblob", "blob_id", "new", "-", `${id} (manifest ${target})`);
  const addLegacyImage =
    existing === undefined || existing.legacyImageId === null ? wanted.legacyImage : null;
  if (addLegacyImage !== null) {
    change(
      "manifestlegacyimage",
      "image_id",
      "new",
      "-",
      `${imageLabel(addLegacyImage)} (manifest ${target})`,
    );
  }

  let setBytes: RepairActions["setBytes"] = null;
  if (!moving && fixedBytes(plan, wanted)) {
    const stored = current.bytes;
    const bytesRight = stored === wanted.bytes;
    if (!bytesRight && current.otherUsers > 0 && validFor(stored, current.digest)) {
      notes.push(
        `shared_manifest_bytes: manifest ${current.id} holds other valid bytes of ${current.digest} and ${current.otherUsers} other row(s) use it; kept`,
      );
    } else if (!bytesRight || current.mediaType !== wanted.mediaType) {
      setBytes = { bytes: wanted.bytes, mediaType: wanted.mediaType };
      if (!bytesRight) {
        change("manifest", "manifest_bytes", current.id, describe(stored), describe(wanted.bytes));
      }
      if (current.mediaType !== wanted.mediaType) {
        change("manifest", "media_type", current.id, current.mediaType ?? "-", wanted.mediaType);
      }
    }
  }

  const tagManifestId = moving && plan.tagManifest.kind === "create" ? tagManifest.id : null;
  if (tagManifestId !== null) {
    change("tagmanifest", "digest", tagManifestId, tagManifest.digest, wanted.digest);
    // A manifest made anew is signed when it is planned: a dry run's signature is not the run's (time,
    // and ECDSA's randomness), so the line names what both agree on, not a hash of the bytes.
    const bytes =
      existing === undefined
        ? `${wanted.bytes.length} characters of the new manifest (signed when written)`
        : describe(existing.bytes);
    change("tagmanifest", "json_data", tagManifestId, describe(tagManifest.json), bytes);
  }
  if (moving) change("tagmanifesttomanifest", "manifest_id", link.id, currentLabel, targetLabel);
  const broken = link.broken !== plan.broken ? plan.broken : null;
  if (broken !== null)
    change("tagmanifesttomanifest", "broken", link.id, String(link.broken), String(broken));
  const finalId = moving ? existing?.id : current.id;
  const tagId = tag.manifestId === finalId && finalId !== undefined ? null : tag.id;
  if (tagId !== null) {
    const old = tag.manifestId === null ? "null" : `${tag.manifestId} (${tag.manifestDigest ?? "?"})`;
    change("tag", "manifest_id", tag.id, old, moving ? targetLabel : currentLabel);
  }
  const repoint = moving && tagManifest.labelMaps > 0;
  if (repoint) {
    change(
      "tagmanifestlabelmap",
      "manifest_id",
      `tag_manifest_id=${tagManifest.id}`,
      currentLabel,
      targetLabel,
    );
  }
  for (const label of plan.labels) {
    change(
      "tagmanifestlabelmap",
      "tag_manifest_label_id",
      "new",
      "-",
      `${label.id} (label ${label.labelId})`,
    );
  }
  const deletePlaceholder = moving && fromPlaceholder ? current.id : null;
  if (deletePlaceholder !== null) {
    change("manifest", "id", current.id, `${currentLabel}`, "deleted unless another row uses it");
  }

  if (changes.length === 0) {
    const shared = notes[0];
    if (shared === undefined) return { kind: "unchanged" };
    return { kind: "refused", code: "shared_manifest_bytes", detail: shared.slice(shared.indexOf(":") + 2) };
  }
  return {
    kind: "repair",
    changes,
    notes,
    actions: {
      // All of them: a new row's parent may be one that exists, and the writer resolves it by key.
      images: moving || addLegacyImage?.kind === "synthesized" ? plan.images : [],
      target:
        existing === undefined
          ? { kind: "create", manifest: wanted }
          : { kind: "existing", id: existing.id, bytes: existing.bytes },
      repositoryId: plan.tag.repositoryId,
      digest: wanted.digest,
      addBlobIds,
      addLegacyImage,
      setBytes,
      tagManifest: tagManifestId === null ? null : { id: tagManifestId, oldDigest: tagManifest.digest },
      link: { id: link.id, oldManifestId: current.id, repoint: moving, broken },
      tag: tagId === null ? null : { id: tagId, oldManifestId: tag.manifestId },
      tagManifestLabels: { tagManifestId: tagManifest.id, repoint, add: plan.labels },
      deletePlaceholder,
    },
  };
}

/**
 * Whether the plan names the one text the manifest row must hold: a stored tag manifest's bytes, or
 * Quay's placeholder (`{}`, also when it stands in for unreadable stored bytes, which stay in the tag
 * manifest only). A manifest generated anew is signed again for the comparison, so its bytes differ
 * from the row's by the signature alone: only its digest is compared.
 */
function fixedBytes(plan: MapPlan, wanted: ManifestPlan): boolean {
  return plan.tagManifest.kind === "existing" || isPlaceholderDigest(wanted.digest);
}

/** The plan's storages whose checksum the row's blob set does not hold yet (all of them for a new row). */
function missingBlobs(
  wanted: ManifestPlan,
  existing: ManifestParts | undefined,
  checksums: ReadonlyMap<number, string>,
): number[] {
  if (existing === undefined) return [...wanted.blobIds];
  const ids = new Set(existing.blobs.map((b) => b.storageId));
  const sums = new Set(existing.blobs.map((b) => b.checksum));
  return wanted.blobIds.filter((id) => {
    if (ids.has(id)) return false;
    const sum = checksums.get(id);
    return sum === undefined || !sums.has(sum);
  });
}

/** Whether bytes are a manifest whose digest is `digest` (so they may stay in a shared row). */
function validFor(bytes: string, digest: string): boolean {
  const read = readStoredManifest(bytes);
  return read.ok && read.digest === digest;
}

function imageLabel(ref: ImageRef): string {
  return ref.kind === "image" ? String(ref.imageId) : `new image ${ref.dockerImageId}`;
}

/** A text value in a change line: short ones quoted, long ones by length and a hash prefix. */
function describe(text: string): string {
  if (text.length <= 16) return JSON.stringify(text);
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 12);
  return `${text.length} characters sha256:${hash}…`;
}
