import type { MapPlan } from "./tag-plan.js";

/**
 * The plan of a mapped tag whose stored tag manifest has exactly the digest the generator gives its chain:
 * the manifest a run generated for it (or Quay's own, made by the same builder from the same rows). Planned
 * as stored, it would lose what the generation knew: the image rows synthesised for rewritten v1 ids (the
 * manifest's legacy image is the synthesised leaf, not the tag's image), the outcome's reason
 * (`not_pullable`, not `stored_not_pullable`) and detail. So the stored plan (its bytes, blobs, labels) takes
 * those from the generated one. Any other difference, and it stays stored. Pure.
 */
export function asGeneratedByRun(stored: MapPlan, generated: MapPlan): MapPlan {
  if (stored.manifest.kind !== "plan" || generated.manifest.kind !== "plan") return stored;
  if (stored.broken || generated.broken || stored.manifest.digest !== generated.manifest.digest)
    return stored;
  return {
    ...stored,
    manifest: { ...stored.manifest, legacyImage: generated.manifest.legacyImage },
    reason: generated.reason,
    detail: generated.detail,
    images: generated.images,
    rewrittenIds: generated.rewrittenIds,
  };
}
