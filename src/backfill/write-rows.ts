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
 * The manifest rows the plans need, one per (repository, digest); the first tag (lowest id) provides the
 * bytes when several tags produce the same digest, so a rerun picks the same ones.
 */
export function planManifests(
  plans: readonly MapPlan[],
): Map<string, ManifestPlan & { repositoryId: number }> {
  const manifests = new Map<string, ManifestPlan & { repositoryId: number }>();
  for (const plan of plans) {
    if (plan.manifest.kind !== "plan") continue;
    const key = manifestKey(plan.tag.repositoryId, plan.manifest.digest);
    if (!manifests.has(key)) manifests.set(key, { ...plan.manifest, repositoryId: plan.tag.repositoryId });
  }
  return manifests;
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
