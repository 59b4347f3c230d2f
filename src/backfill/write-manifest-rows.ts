import type { BatchWrites } from "./batch-store.js";
import type { EnumIds, ExistingManifest, StoredManifestText } from "./store-read-rows.js";
import type { ImageRef, MapPlan } from "./tag-plan.js";
import { manifestKey, mediaTypeId, planManifests, preferStoredBytes } from "./write-rows.js";

export type KnownManifest = ExistingManifest & { created: boolean };

export interface ManifestRows {
  rows: { manifest: number; manifestblob: number; manifestlegacyimage: number };
  /** Manifest rows by manifestKey: found, or created by this pass. */
  known: Map<string, KnownManifest>;
  /** The manifest a tag ends up on, with its digest. */
  manifestOf: (plan: MapPlan) => { id: number; digest: string };
}

/**
 * Step 2 of the write pass: manifest rows, one per (repository, digest); blobs and legacy image only for
 * the ones created. A row written by someone else since the lookup is reused like any existing row.
 */
export async function writeManifestRows(
  store: BatchWrites,
  plans: readonly MapPlan[],
  ids: EnumIds,
  imageRef: (ref: ImageRef) => { id: number },
): Promise<ManifestRows> {
  const rows = { manifest: 0, manifestblob: 0, manifestlegacyimage: 0 };
  const manifestPlans = planManifests(plans);
  const known = new Map<string, KnownManifest>();
  for (const found of await store.loadExistingManifests([...manifestPlans.values()])) {
    known.set(manifestKey(found.repositoryId, found.digest), { ...found, created: false });
  }
  const missing = [...manifestPlans.values()].filter(
    (m) => !known.has(manifestKey(m.repositoryId, m.digest)),
  );
  const storedTexts = new Map<string, StoredManifestText[]>();
  for (const text of await store.loadStoredManifestTexts(missing)) {
    const key = manifestKey(text.repositoryId, text.digest);
    storedTexts.set(key, [...(storedTexts.get(key) ?? []), text]);
  }
  for (const [index, m] of missing.entries()) {
    const key = manifestKey(m.repositoryId, m.digest);
    const chosen = preferStoredBytes(m, storedTexts.get(key) ?? []);
    missing[index] = chosen;
    manifestPlans.set(key, chosen);
  }
  const inserted = await store.insertManifests(
    missing.map((m) => ({ ...m, mediaTypeId: mediaTypeId(ids, m.mediaType) })),
  );
  for (const row of inserted) {
    const source = manifestPlans.get(manifestKey(row.repositoryId, row.digest));
    known.set(manifestKey(row.repositoryId, row.digest), {
      ...row,
      bytes: source?.bytes ?? "",
      created: true,
    });
  }
  rows.manifest = inserted.length;
  if (inserted.length !== missing.length) {
    // Written by someone else since the lookup: reused like any existing row.
    const raced = missing.filter((m) => !known.has(manifestKey(m.repositoryId, m.digest)));
    for (const found of await store.loadExistingManifests(raced)) {
      known.set(manifestKey(found.repositoryId, found.digest), { ...found, created: false });
    }
  }
  const manifestOf = (plan: MapPlan): { id: number; digest: string } => {
    if (plan.manifest.kind === "linked") return { id: plan.manifest.id, digest: plan.manifest.digest };
    const found = known.get(manifestKey(plan.tag.repositoryId, plan.manifest.digest));
    if (found === undefined) throw new Error(`manifest ${plan.manifest.digest} has no row`);
    return { id: found.id, digest: found.digest };
  };
  const created = [...manifestPlans.values()].flatMap((m) => {
    const row = known.get(manifestKey(m.repositoryId, m.digest));
    return row?.created ? [{ row, plan: m }] : [];
  });
  rows.manifestblob = await store.insertManifestBlobs(
    created.flatMap(({ row, plan }) =>
      plan.blobIds.map((blobId) => ({ repositoryId: row.repositoryId, manifestId: row.id, blobId })),
    ),
  );
  rows.manifestlegacyimage = await store.insertManifestLegacyImages(
    created.map(({ row, plan }) => ({
      repositoryId: row.repositoryId,
      manifestId: row.id,
      imageId: imageRef(plan.legacyImage).id,
    })),
  );
  return { rows, known, manifestOf };
}
