import type { BatchWrites } from "./batch-store.js";
import type { RepairActions } from "./repair-plan.js";
import type { ImageRef, MapPlan } from "./tag-plan.js";
import type { RowCounts, WriteIds } from "./write-pass.js";
import { mediaTypeId, resolveTagManifestBytes } from "./write-rows.js";
import { writeSynthesizedImages } from "./write-synthesized-images.js";

/** A guarded update found its row changed since the repair was planned: the tag's savepoint rolls back. */
export class RepairConflict extends Error {
  override readonly name = "RepairConflict";
}

export interface AppliedRepair {
  manifestId: number;
  /** Rows by table: inserted under the table's name, others as `table.updated` / `table.deleted`. */
  rows: RowCounts;
}

/**
 * Writes one tag's repair (planRepair), in the order the foreign keys need: images, the target manifest
 * and its missing blob and legacy image rows, the manifest's bytes, the placeholder tag manifest, the
 * link, the tag row, the labels, and last the placeholder manifest when nothing uses it any more. The
 * caller runs it inside the tag's own savepoint, holding the tag's lock.
 */
export async function applyRepair(
  store: BatchWrites,
  plan: MapPlan,
  actions: RepairActions,
  ids: WriteIds,
): Promise<AppliedRepair> {
  const rows: RowCounts = {};
  const add = (key: string, n: number) => {
    if (n > 0) rows[key] = (rows[key] ?? 0) + n;
  };
  const images = actions.images.length > 0 ? await writeSynthesizedImages(store, actions.images) : undefined;
  add("image", images?.inserted ?? 0);
  const imageId = (ref: ImageRef): number => {
    if (ref.kind === "image") return ref.imageId;
    if (images === undefined) throw new Error(`synthesised image ${ref.dockerImageId} was not written`);
    return images.imageRef(ref).id;
  };

  const target = await writeTarget(store, actions, ids, add);
  await addTargetRows(store, actions, target, imageId, add);
  await updateGuarded(store, plan, actions, { ids, target, add });
  await carryLabels(store, actions, target.id, add);
  if (actions.deletePlaceholder !== null && (await store.deleteUnusedManifest(actions.deletePlaceholder))) {
    add("manifest.deleted", 1);
  }
  return { manifestId: target.id, rows };
}

type Add = (key: string, n: number) => void;

interface Target {
  id: number;
  bytes: string;
  created: boolean;
}

/** The manifest the tag ends on: the existing row, or one inserted (or found, when inserted meanwhile). */
async function writeTarget(
  store: BatchWrites,
  actions: RepairActions,
  ids: WriteIds,
  add: Add,
): Promise<Target> {
  let target: Target;
  if (actions.target.kind === "existing") {
    target = { id: actions.target.id, bytes: actions.target.bytes, created: false };
  } else {
    const wanted = actions.target.manifest;
    const [inserted] = await store.insertManifests([
      {
        repositoryId: actions.repositoryId,
        digest: wanted.digest,
        mediaTypeId: mediaTypeId(ids, wanted.mediaType),
        bytes: wanted.bytes,
      },
    ]);
    if (inserted !== undefined) {
      target = { id: inserted.id, bytes: wanted.bytes, created: true };
      add("manifest", 1);
    } else {
      // Created meanwhile (another tag of this batch with the same digest): reused like any existing row.
      const [found] = await store.loadExistingManifests([
        { repositoryId: actions.repositoryId, digest: wanted.digest },
      ]);
      if (found === undefined)
        throw new RepairConflict(`manifest ${wanted.digest} neither inserted nor found`);
      target = { id: found.id, bytes: found.bytes, created: false };
    }
  }
  return target;
}

/** The target's missing blob rows and legacy image. */
async function addTargetRows(
  store: BatchWrites,
  actions: RepairActions,
  target: Target,
  imageId: (ref: ImageRef) => number,
  add: Add,
): Promise<void> {
  const repositoryId = actions.repositoryId;
  add(
    "manifestblob",
    await store.insertManifestBlobs(
      actions.addBlobIds.map((blobId) => ({ repositoryId, manifestId: target.id, blobId })),
    ),
  );
  if (actions.addLegacyImage !== null) {
    const legacy = { repositoryId, manifestId: target.id, imageId: imageId(actions.addLegacyImage) };
    add("manifestlegacyimage", await store.insertManifestLegacyImages([legacy]));
  }
}

/** The guarded updates (bytes, placeholder tag manifest, link, tag row): a changed row is a RepairConflict. */
async function updateGuarded(
  store: BatchWrites,
  plan: MapPlan,
  actions: RepairActions,
  ctx: { ids: WriteIds; target: Target; add: Add },
): Promise<void> {
  const { ids, target, add } = ctx;
  if (actions.setBytes !== null) {
    const updated = await store.updateManifestBytes({
      manifestId: target.id,
      digest: actions.digest,
      bytes: actions.setBytes.bytes,
      mediaTypeId: mediaTypeId(ids, actions.setBytes.mediaType),
    });
    if (!updated) throw new RepairConflict(`manifest ${target.id} changed during the repair`);
    add("manifest.updated", 1);
    target.bytes = actions.setBytes.bytes;
  }
  if (actions.tagManifest !== null) {
    const json = resolveTagManifestBytes(plan, { ...target, digest: actions.digest });
    const updated = await store.replacePlaceholderTagManifest({
      id: actions.tagManifest.id,
      oldDigest: actions.tagManifest.oldDigest,
      digest: actions.digest,
      json,
    });
    if (!updated)
      throw new RepairConflict(`tag manifest ${actions.tagManifest.id} changed during the repair`);
    add("tagmanifest.updated", 1);
  }
  const link = actions.link;
  if (link.repoint || link.broken !== null) {
    const updated = await store.updateTagManifestLink({
      id: link.id,
      oldManifestId: link.oldManifestId,
      manifestId: link.repoint ? target.id : link.oldManifestId,
      broken: link.broken,
    });
    if (!updated) throw new RepairConflict(`tagmanifesttomanifest ${link.id} changed during the repair`);
    add("tagmanifesttomanifest.updated", 1);
  }
  if (actions.tag !== null) {
    const updated = await store.pointTagAtManifest({
      tagId: actions.tag.id,
      oldManifestId: actions.tag.oldManifestId,
      manifestId: target.id,
    });
    if (!updated) throw new RepairConflict(`tag ${actions.tag.id} changed during the repair`);
    add("tag.updated", 1);
  }
}

/** The tag manifest's labels carried to the target: maps repointed, missing ones added. */
async function carryLabels(
  store: BatchWrites,
  actions: RepairActions,
  targetId: number,
  add: Add,
): Promise<void> {
  const repositoryId = actions.repositoryId;
  const labels = actions.tagManifestLabels;
  if (labels.repoint) {
    const tagManifestId = labels.tagManifestId;
    add(
      "tagmanifestlabelmap.updated",
      await store.repointTagManifestLabels({ tagManifestId, repositoryId, manifestId: targetId }),
    );
  }
  if (labels.add.length > 0) {
    const made = await store.insertManifestLabels(
      labels.add.map((label) => ({ repositoryId, manifestId: targetId, labelId: label.labelId })),
    );
    add("manifestlabel", made.inserted);
    const byLabel = new Map(made.ids.map((row) => [row.labelId, row.id]));
    add(
      "tagmanifestlabelmap",
      await store.insertTagManifestLabelMaps(
        labels.add.map((label) => ({
          tagManifestId: label.tagManifestId,
          manifestId: targetId,
          labelId: label.labelId,
          tagManifestLabelId: label.id,
          manifestLabelId: byLabel.get(label.labelId) as number,
        })),
      ),
    );
  }
}
