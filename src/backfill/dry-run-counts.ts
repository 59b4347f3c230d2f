import type { BatchReads } from "./batch-store.js";
import type { PreparedWrite } from "./prepare-write.js";
import type { RowCounts } from "./write-pass.js";
import { manifestKey, planManifests, planSynthesizedImages } from "./write-rows.js";

/**
 * What a write would insert, by table, from read-only lookups: for `--dry-run`, which must not take
 * locks, consume sequence values or leave dead rows behind. Labels are counted as if none existed yet.
 */
export async function dryRunCounts(store: BatchReads, prepared: PreparedWrite): Promise<RowCounts> {
  const plans = prepared.writable.map((item) => item.plan);
  const images = planSynthesizedImages(plans);
  const existingImages = new Set(
    (await store.loadRepositoryImages(images)).map((image) => `${image.repositoryId}:${image.dockerImageId}`),
  );
  const manifests = planManifests(plans);
  const existingManifests = new Set(
    (await store.loadExistingManifests([...manifests.values()])).map((m) =>
      manifestKey(m.repositoryId, m.digest),
    ),
  );
  const created = [...manifests.entries()].filter(([key]) => !existingManifests.has(key)).map(([, m]) => m);
  const labels = plans.reduce((n, plan) => n + plan.labels.length, 0);
  return {
    image: images.filter((image) => !existingImages.has(`${image.repositoryId}:${image.dockerImageId}`))
      .length,
    manifest: created.length,
    manifestblob: created.reduce((n, m) => n + m.blobIds.length, 0),
    manifestlegacyimage: created.length,
    tagmanifest: plans.filter((plan) => plan.tagManifest.kind === "create").length,
    tagmanifesttomanifest: plans.filter((plan) => plan.manifest.kind === "plan").length,
    tag: prepared.writable.filter((item) => item.reuseTagId === null).length,
    tagtorepositorytag: plans.length,
    manifestlabel: labels,
    tagmanifestlabelmap: labels,
  };
}
