import type { BatchWrites } from "./batch-store.js";
import type { FailReason, SkipReason } from "./reasons.js";
import type { EnumIds } from "./store-read-rows.js";
import type { MapPlan } from "./tag-plan.js";
import { writeManifestRows, type KnownManifest, type ManifestRows } from "./write-manifest-rows.js";
import { manifestKey, planSynthesizedImages, resolveTagManifestBytes } from "./write-rows.js";
import { ImageRace, writeSynthesizedImages, type WrittenImages } from "./write-synthesized-images.js";

/** A map plan ready to write: the tag row to reuse, if Quay already wrote it. */
export interface WritablePlan {
  plan: MapPlan;
  reuseTagId: number | null;
}

export type WriteIds = EnumIds;

/** Rows inserted by table. */
export type RowCounts = Record<string, number>;

export interface PassResult {
  rows: RowCounts;
  /** The manifest each written tag ended up on, with its digest. */
  manifests: Map<number, { id: number; digest: string }>;
}

/**
 * Some tags could not be written because the database changed under the batch (another writer got
 * there first). Thrown out of a pass so its savepoint rolls back; the pass is repeated without them.
 */
export class WriteConflict extends Error {
  override readonly name = "WriteConflict";
  constructor(
    readonly tags: ReadonlyMap<
      number,
      { outcome: "skipped" | "failed"; reason: SkipReason | FailReason; detail: string }
    >,
  ) {
    super(`${tags.size} tag(s) changed under the batch`);
  }
}

/** Another writer inserted a shared row between our lookup and our insert: the pass is repeated. */
export class WriteRace extends Error {
  override readonly name = "WriteRace";
}

/**
 * Writes every row of docs/domain-rules.md for the given tags, with a constant number of statements: each
 * table gets one multi-row insert (ON CONFLICT on Quay's unique indexes) and the few lookups that read ids
 * back. The caller holds the tags' locks and runs this inside a savepoint.
 */
export async function writePass(
  store: BatchWrites,
  items: readonly WritablePlan[],
  ids: WriteIds,
): Promise<PassResult> {
  const rows: RowCounts = {};
  const plans = items.map((item) => item.plan);

  // 1. image rows for rewritten ids, parents before children; existing (repository, id) rows are reused.
  let images: WrittenImages;
  try {
    images = await writeSynthesizedImages(store, planSynthesizedImages(plans));
  } catch (err) {
    if (err instanceof ImageRace) throw new WriteRace(err.message);
    throw err;
  }
  rows.image = images.inserted;
  const imageRef = images.imageRef;

  // 2. manifest rows, one per (repository, digest); blobs and legacy image only for the ones created.
  const manifests = await writeManifestRows(store, plans, ids, imageRef);
  Object.assign(rows, manifests.rows);
  const { known, manifestOf } = manifests;
  const tagManifestOf = await writeTagManifestRows(store, plans, known, rows);
  await writeLinks(store, plans, { manifestOf, tagManifestOf }, rows);
  await writeTagRows(store, items, { manifestOf, ids }, rows);
  await writeLabels(store, plans, manifestOf, rows);
  return { rows, manifests: new Map(plans.map((plan) => [plan.tag.id, manifestOf(plan)])) };
}

type ManifestOf = ManifestRows["manifestOf"];

/** 3. tag manifests for generated manifests and placeholders, holding the bytes the manifest row holds. */
async function writeTagManifestRows(
  store: BatchWrites,
  plans: readonly MapPlan[],
  known: ReadonlyMap<string, KnownManifest>,
  rows: RowCounts,
): Promise<(plan: MapPlan) => number> {
  const creating = plans.filter((plan) => plan.tagManifest.kind === "create");
  const tagManifests = await store.insertTagManifests(
    creating.map((plan) => {
      const manifest = known.get(manifestKey(plan.tag.repositoryId, digestOf(plan)));
      return { tagId: plan.tag.id, digest: digestOf(plan), json: resolveTagManifestBytes(plan, manifest) };
    }),
  );
  const tagManifestIds = new Map(tagManifests.map((row) => [row.tagId, row.id]));
  rows.tagmanifest = tagManifests.length;
  conflictUnless(
    creating,
    (plan) => tagManifestIds.has(plan.tag.id),
    "failed",
    "concurrent_change",
    "a tag manifest was written for this tag by another writer during the batch",
  );
  const tagManifestOf = (plan: MapPlan): number =>
    plan.tagManifest.kind === "existing" ? plan.tagManifest.id : (tagManifestIds.get(plan.tag.id) as number);
  return tagManifestOf;
}

/** 4. tag manifest -> manifest links. */
async function writeLinks(
  store: BatchWrites,
  plans: readonly MapPlan[],
  ctx: { manifestOf: ManifestOf; tagManifestOf: (plan: MapPlan) => number },
  rows: RowCounts,
): Promise<void> {
  const { manifestOf, tagManifestOf } = ctx;
  const linking = plans.filter((plan) => plan.manifest.kind === "plan");
  const linked = new Set(
    await store.insertTagManifestLinks(
      linking.map((plan) => ({
        tagManifestId: tagManifestOf(plan),
        manifestId: manifestOf(plan).id,
        broken: plan.broken,
      })),
    ),
  );
  rows.tagmanifesttomanifest = linked.size;
  conflictUnless(
    linking,
    (plan) => linked.has(tagManifestOf(plan)),
    "failed",
    "concurrent_change",
    "the tag manifest was linked to a manifest by another writer during the batch",
  );
}

/** 5. tag rows (a row Quay wrote without a mapping is reused), then the mappings that decide it all. */
async function writeTagRows(
  store: BatchWrites,
  items: readonly WritablePlan[],
  ctx: { manifestOf: ManifestOf; ids: WriteIds },
  rows: RowCounts,
): Promise<void> {
  const { manifestOf, ids } = ctx;
  const plans = items.map((item) => item.plan);
  const fresh = items.filter((item) => item.reuseTagId === null);
  const tagIds = await store.allocateIds("tag", fresh.length);
  const tagIdOf = new Map<number, number>();
  items.forEach((item) => item.reuseTagId !== null && tagIdOf.set(item.plan.tag.id, item.reuseTagId));
  fresh.forEach((item, index) => tagIdOf.set(item.plan.tag.id, tagIds[index] as number));
  const insertedTags = new Set(
    await store.insertTags(
      fresh.map(({ plan }) => ({
        id: tagIdOf.get(plan.tag.id) as number,
        name: plan.tag.name,
        repositoryId: plan.tag.repositoryId,
        manifestId: manifestOf(plan).id,
        lifetimeStartMs: plan.tag.lifetimeStartTs * 1000,
        lifetimeEndMs: plan.tag.lifetimeEndTs === null ? null : plan.tag.lifetimeEndTs * 1000,
        reversion: plan.tag.reversion,
        tagKindId: ids.tagKindTag,
      })),
    ),
  );
  rows.tag = insertedTags.size;
  conflictUnless(
    fresh.map((item) => item.plan),
    (plan) => insertedTags.has(tagIdOf.get(plan.tag.id) as number),
    "failed",
    "concurrent_change",
    "a tag row with the same name and end was written by another writer",
  );
  const mapped = new Set(
    await store.insertTagMappings(
      plans.map((plan) => ({
        repositoryId: plan.tag.repositoryId,
        tagId: tagIdOf.get(plan.tag.id) as number,
        repositoryTagId: plan.tag.id,
      })),
    ),
  );
  rows.tagtorepositorytag = mapped.size;
  conflictUnless(
    plans,
    (plan) => mapped.has(plan.tag.id),
    "skipped",
    "already_mapped",
    "mapped by another writer during the batch",
  );
}

/** 6. labels of stored tag manifests. */
async function writeLabels(
  store: BatchWrites,
  plans: readonly MapPlan[],
  manifestOf: ManifestOf,
  rows: RowCounts,
): Promise<void> {
  const labelled = plans.flatMap((plan) => plan.labels.map((label) => ({ plan, label })));
  const manifestLabels = await store.insertManifestLabels(
    labelled.map(({ plan, label }) => ({
      repositoryId: plan.tag.repositoryId,
      manifestId: manifestOf(plan).id,
      labelId: label.labelId,
    })),
  );
  rows.manifestlabel = manifestLabels.inserted;
  const manifestLabelIds = new Map(
    manifestLabels.ids.map((row) => [`${row.manifestId}:${row.labelId}`, row.id]),
  );
  rows.tagmanifestlabelmap = await store.insertTagManifestLabelMaps(
    labelled.map(({ plan, label }) => {
      const manifestId = manifestOf(plan).id;
      return {
        tagManifestId: label.tagManifestId,
        manifestId,
        labelId: label.labelId,
        tagManifestLabelId: label.id,
        manifestLabelId: manifestLabelIds.get(`${manifestId}:${label.labelId}`) as number,
      };
    }),
  );
}

function digestOf(plan: MapPlan): string {
  return plan.manifest.kind === "plan" ? plan.manifest.digest : "";
}

function conflictUnless(
  plans: readonly MapPlan[],
  ok: (plan: MapPlan) => boolean,
  outcome: "skipped" | "failed",
  reason: SkipReason | FailReason,
  detail: string,
): void {
  const lost = plans.filter((plan) => !ok(plan));
  if (lost.length > 0)
    throw new WriteConflict(new Map(lost.map((plan) => [plan.tag.id, { outcome, reason, detail }])));
}
