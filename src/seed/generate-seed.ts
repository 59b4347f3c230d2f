import type { Signer } from "../manifest/index.js";
import { planDataset, LIBRARY_NAMESPACE } from "./plan-dataset.js";
import { Prng } from "./prng.js";
import { renderRepository } from "./render-repository.js";
import { emptyChunk, type SeedChunk } from "./seed-rows.js";
import type { SeedOptions } from "./seed-options.js";
import { seedSigner } from "./seed-signer.js";

export interface GenerateSeedOptions {
  /** Tags per chunk (a chunk holds whole repositories, so it may run over). */
  readonly chunkTags?: number;
  /** Defaults to the EC key derived from the seed. */
  readonly signer?: Signer;
}

/**
 * The synthetic registry as a stream of chunks of rows in id order: the first chunk holds the users and
 * the shared base-image storages, every chunk whole repositories. Memory holds one chunk at a time.
 */
export async function* generateSeed(
  options: SeedOptions,
  generate: GenerateSeedOptions = {},
): AsyncGenerator<SeedChunk> {
  const plan = planDataset(options);
  const context = {
    seed: options.seed,
    imageStreams: Prng.family(options.seed, "image"),
    signer: generate.signer ?? seedSigner(options.seed),
    libraryNamespace: LIBRARY_NAMESPACE,
  };
  const chunkTags = generate.chunkTags ?? 2000;
  let chunk = emptyChunk();
  chunk.users.push(...plan.users);
  for (const base of plan.bases) {
    for (const layer of base.layers) {
      chunk.storages.push({
        id: options.idOffsets.imagestorage + layer.storageOrdinal,
        uuid: `00000000-0000-4000-8000-${layer.dockerId.slice(0, 12)}`,
        imageSize: layer.throwaway ? 32 : layer.size,
        uncompressedSize: layer.throwaway ? 1024 : Math.round(layer.size * 2.4),
        uploading: false,
        contentChecksum: layer.checksum,
      });
    }
  }
  for (const repository of plan.repositories()) {
    await renderRepository(repository, context, chunk);
    // Let I/O run between repositories: the writer's queries for the previous chunk proceed meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    if (chunk.tags.length >= chunkTags) {
      yield chunk;
      chunk = emptyChunk();
    }
  }
  if (chunk.tags.length > 0 || chunk.users.length > 0) yield chunk;
}
