import {
  DEFAULT_MAX_MANIFEST_BYTES,
  generateSchema1,
  type ChainLayer,
  type Signer,
} from "../manifest/index.js";
import type { PlannedImage } from "./plan-chain.js";
import type { PlannedTag, RepositoryPlan } from "./plan-repository.js";
import { Prng } from "./prng.js";
import type { RenderedImage } from "./render-image.js";
import type { SeedChunk } from "./seed-rows.js";

export interface TagManifestContext {
  readonly seed: string;
  /** Signs the `signed` tagmanifests (a client's EC key); see seedSigner. */
  readonly signer: Signer;
  readonly libraryNamespace: string;
}

const LABELS: readonly [string, string][] = [
  ["maintainer", "Jörg Müller <joerg@example.com>"],
  ["com.example.team", "plateforme-données"],
  ["org.opencontainers.image.source", "https://git.example.com/app"],
  ["description", "Ünïcode café ✓ 日本語"],
  ["com.example.tier", "backend"],
];

/**
 * The `tagmanifest` row a tag already had before the backfill: the manifest of its chain as a client
 * pushed it (signed by the client's EC key, or unsigned), or a corrupt row (truncated, not JSON).
 * Corrupt rows keep the digest of the manifest they were meant to hold.
 */
export async function renderTagManifest(
  repository: RepositoryPlan,
  position: number,
  tag: PlannedTag,
  rendered: ReadonlyMap<PlannedImage, RenderedImage>,
  context: TagManifestContext,
  chunk: SeedChunk,
): Promise<void> {
  const prng = Prng.derive(context.seed, "tagmanifest", repository.index, position);
  const layers: ChainLayer[] = [];
  for (let node: PlannedImage | null = tag.image; node; node = node.parent) {
    const image = rendered.get(node);
    if (!image?.checksum)
      throw new Error(`seed bug: tag ${tag.id} has an existing manifest over a defective chain`);
    layers.push({ blobSum: image.checksum, v1Compatibility: image.v1Json });
  }
  const signed = tag.tagManifest === "signed" || (tag.tagManifest === "corrupt" && prng.chance(0.5));
  const result = await generateSchema1({
    namespace: repository.namespace,
    repository: repository.name,
    tag: tag.name,
    libraryNamespace: context.libraryNamespace,
    layers,
    rewriteIds: false,
    maxBytes: DEFAULT_MAX_MANIFEST_BYTES,
    signer: signed ? context.signer : undefined,
    signingTime: new Date(tag.startTs * 1000),
  });
  if (!result.ok) throw new Error(`seed bug: tag ${tag.id} manifest: ${result.message}`);
  let jsonData = result.bytes;
  if (tag.tagManifest === "corrupt") {
    jsonData = prng.chance(0.5)
      ? jsonData.slice(0, prng.int(1, jsonData.length - 1))
      : prng.pick(["<html><body><h1>502 Bad Gateway</h1></body></html>", "", '{"schemaVersion": 1,', "null"]);
  }
  const tagManifestId = tag.tagManifestId ?? 0;
  chunk.tagManifests.push({ id: tagManifestId, tagId: tag.id, digest: result.digest, jsonData });
  for (const [i, label] of tag.labels.entries()) {
    const [key, value] = LABELS[(position + i) % LABELS.length] as [string, string];
    chunk.labels.push({
      id: label.labelId,
      uuid: prng.uuid(),
      key,
      value,
      mediaType: "text/plain",
      sourceType: "manifest",
    });
    chunk.tagManifestLabels.push({
      id: label.tagManifestLabelId,
      repositoryId: repository.id,
      annotatedId: tagManifestId,
      labelId: label.labelId,
    });
  }
}
