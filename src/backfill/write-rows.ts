import { MEDIA_TYPES } from "../manifest/media-types.js";
import { schema1Digest } from "../manifest/schema1-digest.js";
import type { MapPlan, ManifestPlan, SynthesizedImage } from "./tag-plan.js";

export function manifestKey(repositoryId: number, digest: string): string {
  return `${repositoryId}:${digest}`;
}

/**
 * The synthesised images of all plans, one per (repository, v1 id), in an order where every parent comes
 * before its children: each plan lists its chain base first, and a repeat keeps its first position.
 */
export function planSynthesizedImages(plans: readonly MapPlan[]): SynthesizedImage[] {
  const seen = new Map<string, SynthesizedImage>();
  for (const plan of plans) {
    for (const image of plan.images) {
      const key = `${image.repositoryId}:${image.dockerImageId}`;
      if (!seen.has(key)) seen.set(key, image);
    }
  }
  return [...seen.values()];
}

/**
 * The manifest rows the plans need, one per (repository, digest). When several tags produce one digest,
 * signed bytes win over unsigned ones (Docker pulls only the signed form), then bytes a tag manifest
 * already stored (what clients were served) over bytes generated here, then the lowest tag id: a rerun
 * picks the same ones, and the generated tag manifests of that digest copy them.
 */
export function planManifests(
  plans: readonly MapPlan[],
): Map<string, ManifestPlan & { repositoryId: number }> {
  const manifests = new Map<string, ManifestPlan & { repositoryId: number; rank: number }>();
  for (const plan of plans) {
    if (plan.manifest.kind !== "plan") continue;
    const key = manifestKey(plan.tag.repositoryId, plan.manifest.digest);
    const rank =
      (plan.manifest.mediaType === MEDIA_TYPES.schema1Signed ? 2 : 0) +
      (plan.tagManifest.kind === "existing" ? 1 : 0);
    const current = manifests.get(key);
    if (current !== undefined && current.rank >= rank) continue;
    manifests.set(key, { ...plan.manifest, repositoryId: plan.tag.repositoryId, rank });
  }
  return new Map([...manifests].map(([key, { rank: _rank, ...manifest }]) => [key, manifest]));
}

/**
 * What a new tag manifest holds: the bytes of the manifest row it maps to, so `json_data` and
 * `manifest_bytes` agree (the digest excludes signatures, so two tags with one digest may have signed
 * different bytes). A pre-existing row whose bytes do not hash to its digest is not copied.
 */
export function resolveTagManifestBytes(
  plan: MapPlan,
  manifest: { bytes: string; digest: string; created: boolean } | undefined,
): string {
  const own = plan.manifest.kind === "plan" ? plan.manifest.bytes : "";
  if (manifest === undefined || manifest.bytes === own) return own;
  if (manifest.created) return manifest.bytes;
  try {
    return schema1Digest(manifest.bytes) === manifest.digest ? manifest.bytes : own;
  } catch {
    return own;
  }
}
