import { createHash } from "node:crypto";
import type { PlannedImage } from "./plan-chain.js";
import type { Prng } from "./prng.js";
import { DATASET_END_TS, type RepositoryPlan } from "./plan-repository.js";
import { renderImage, type RenderedImage } from "./render-image.js";
import { renderTagManifest, type TagManifestContext } from "./render-tag-manifest.js";
import type { SeedChunk } from "./seed-rows.js";

const DESCRIPTIONS = [
  null,
  null,
  "Internal service image",
  "Ünïcode-ready build of the app — café ✓",
  "镜像 for CI",
];

/** Appends one planned repository's rows to `chunk`: repository, storages, images, tags, manifests. */
export interface RenderContext extends TagManifestContext {
  /** `Prng.family(seed, "image")`: one stream per (repository index, image ordinal). */
  readonly imageStreams: (repositoryIndex: number, ordinal: number) => Prng;
}

export async function renderRepository(
  plan: RepositoryPlan,
  context: RenderContext,
  chunk: SeedChunk,
): Promise<void> {
  chunk.repositories.push({
    id: plan.id,
    namespaceUserId: plan.namespaceUserId,
    name: plan.name,
    visibility: plan.index % 3 === 0 ? "private" : "public",
    description: DESCRIPTIONS[plan.index % DESCRIPTIONS.length] ?? null,
    badgeToken: badgeToken(context.seed, plan),
  });
  const rendered = new Map<PlannedImage, RenderedImage>();
  const stream = (ordinal: number) => context.imageStreams(plan.index, ordinal);
  for (const node of plan.images) {
    const image = renderImage(stream, plan.id, node, rendered);
    rendered.set(node, image);
    if (image.storage) chunk.storages.push(image.storage);
    if (image.image) chunk.images.push(image.image);
  }
  const stats = chunk.stats;
  for (const [position, tag] of plan.tags.entries()) {
    if (tag.hidden) stats.hidden++;
    else if (tag.endTs !== null && tag.endTs <= DATASET_END_TS) stats.dead++;
    if (tag.defect) stats.defects[tag.defect] = (stats.defects[tag.defect] ?? 0) + 1;
    if (tag.tagManifest) stats.tagManifests[tag.tagManifest] = (stats.tagManifests[tag.tagManifest] ?? 0) + 1;
    chunk.tags.push({
      id: tag.id,
      name: tag.name,
      imageId: tag.image.imageId,
      repositoryId: plan.id,
      lifetimeStartTs: tag.startTs,
      lifetimeEndTs: tag.endTs,
      hidden: tag.hidden,
      reversion: tag.reversion,
    });
    if (tag.tagManifest) await renderTagManifest(plan, position, tag, rendered, context, chunk);
  }
}

function badgeToken(seed: string, plan: RepositoryPlan): string {
  return createHash("sha256")
    .update(`${seed}\u0000badge\u0000${plan.index}`)
    .digest("base64url")
    .slice(0, 32);
}
