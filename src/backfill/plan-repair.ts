import { createHash } from "node:crypto";
import { readStoredManifest } from "./plan-stored-tag.js";
import type { RepairActions, RepairChange, RepairInput, RepairPlan } from "./repair-plan.js";
import type { ManifestParts, MappedState } from "./store-read-rows.js";
import type { ImageRef, ManifestPlan, MapPlan } from "./tag-plan.js";
import { manifestKey } from "./write-rows.js";

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
  const checked = checkMapping(input);
  if ("kind" in checked) return checked;
  const { plan, tag, tagManifest, link, current, wanted, moving, existing } = checked;
  const changes: RepairChange[] = [];
  const notes: string[] = [];
  const change: Change = (table, column, row, old, now) =>
    changes.push({ repositoryTagId: plan.tag.id, table, column, row: String(row), old, new: now });
  const rows = planRows(checked, input, change);
  const setBytes = planBytes(checked, change, notes);
  const links = planLinks(checked, change);
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
      images: moving || rows.addLegacyImage?.kind === "synthesized" ? plan.images : [],
      target:
        existing === undefined
          ? { kind: "create", manifest: wanted }
          : { kind: "existing", id: existing.id, bytes: existing.bytes },
      repositoryId: plan.tag.repositoryId,
      digest: wanted.digest,
      addBlobIds: rows.addBlobIds,
      addLegacyImage: rows.addLegacyImage,
      setBytes,
      tagManifest:
        links.tagManifestId === null ? null : { id: links.tagManifestId, oldDigest: tagManifest.digest },
      link: { id: link.id, oldManifestId: current.id, repoint: moving, broken: links.broken },
      tag: links.tagId === null ? null : { id: links.tagId, oldManifestId: tag.manifestId },
      tagManifestLabels: { tagManifestId: tagManifest.id, repoint: links.repoint, add: plan.labels },
      deletePlaceholder: links.deletePlaceholder,
    },
  };
}

type Change = (table: string, column: string, row: string | number, old: string, now: string) => void;

type Present<T> = NonNullable<T>;

/** A mapping whose rows are all there and whose recomputed plan may be repaired towards. */
interface Checked {
  plan: MapPlan;
  tag: Present<MappedState["tag"]>;
  tagManifest: Present<MappedState["tagManifest"]>;
  link: Present<MappedState["link"]>;
  current: Present<MappedState["manifest"]>;
  wanted: ManifestPlan;
  /** The tag moves to another digest (only ever from a placeholder). */
  moving: boolean;
  fromPlaceholder: boolean;
  /** The row of the wanted digest, if it exists. */
  existing: ManifestParts | undefined;
  targetLabel: string;
  currentLabel: string;
}

/** The refusals: a mapping with rows missing, or a digest under a tag that would change. */
function checkMapping(input: RepairInput): Checked | RepairPlan {
  const { plan, state } = input;
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
  const existing = input.manifests.get(manifestKey(plan.tag.repositoryId, wanted.digest));
  if (!moving && existing === undefined) {
    const detail = `manifest ${current.id} is not in repository ${plan.tag.repositoryId}`;
    return { kind: "refused", code: "inconsistent_mapping", detail };
  }
  const targetLabel = existing === undefined ? `new (${wanted.digest})` : `${existing.id} (${wanted.digest})`;
  const currentLabel = `${current.id} (${current.digest})`;
  return {
    plan,
    tag,
    tagManifest,
    link,
    current,
    wanted,
    moving,
    fromPlaceholder,
    existing,
    targetLabel,
    currentLabel,
  };
}

/** The rows to add: synthesised images, the target manifest, its missing blobs and legacy image. */
function planRows(
  c: Checked,
  input: RepairInput,
  change: Change,
): { addBlobIds: number[]; addLegacyImage: ImageRef | null } {
  const { plan, wanted, existing, moving } = c;
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
  return { addBlobIds, addLegacyImage };
}

/** The manifest row's bytes and media type set to the plan's, unless other rows share other valid bytes. */
function planBytes(c: Checked, change: Change, notes: string[]): RepairActions["setBytes"] {
  const { plan, wanted, current } = c;
  if (c.moving || !fixedBytes(plan, wanted)) return null;
  const stored = current.bytes;
  const bytesRight = stored === wanted.bytes;
  if (!bytesRight && current.otherUsers > 0 && validFor(stored, current.digest)) {
    notes.push(
      `shared_manifest_bytes: manifest ${current.id} holds other valid bytes of ${current.digest} and ${current.otherUsers} other row(s) use it; kept`,
    );
    return null;
  }
  if (bytesRight && current.mediaType === wanted.mediaType) return null;
  if (!bytesRight) {
    change("manifest", "manifest_bytes", current.id, describe(stored), describe(wanted.bytes));
  }
  if (current.mediaType !== wanted.mediaType) {
    change("manifest", "media_type", current.id, current.mediaType ?? "-", wanted.mediaType);
  }
  return { bytes: wanted.bytes, mediaType: wanted.mediaType };
}

/** The rows that point at the manifest: tag manifest, link, tag row, label maps, and the placeholder left. */
function planLinks(c: Checked, change: Change) {
  const { plan, tag, tagManifest, link, current, wanted, moving, existing, targetLabel, currentLabel } = c;
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
  const deletePlaceholder = moving && c.fromPlaceholder ? current.id : null;
  if (deletePlaceholder !== null) {
    change("manifest", "id", current.id, `${currentLabel}`, "deleted unless another row uses it");
  }
  return { tagManifestId, broken, tagId, repoint, deletePlaceholder };
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
