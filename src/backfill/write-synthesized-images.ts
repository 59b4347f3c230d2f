import type { BatchWrites } from "./batch-store.js";
import type { NewImage } from "./store-write-rows.js";
import type { ImageRef, SynthesizedImage } from "./tag-plan.js";

/** Thrown when another writer inserted a row between our lookup and our insert: the pass is repeated. */
export class ImageRace extends Error {
  override readonly name = "ImageRace";
}

export interface WrittenImages {
  inserted: number;
  /** The row of any image reference: an existing image, or a synthesised one (found or created). */
  imageRef: (ref: ImageRef) => { id: number; ancestors: string };
}

/**
 * v1 id rewrite (docs/domain-rules.md): an `image` row for every rewritten id, parents before children
 * (`wanted` is in that order); an existing (repository, id) row is reused. Three statements: lookup, id
 * allocation, insert.
 */
export async function writeSynthesizedImages(
  store: BatchWrites,
  wanted: readonly SynthesizedImage[],
): Promise<WrittenImages> {
  const existingImages = await store.loadRepositoryImages(wanted);
  const imageIds = new Map<string, { id: number; ancestors: string }>();
  for (const image of existingImages) {
    imageIds.set(`${image.repositoryId}:${image.dockerImageId}`, {
      id: image.id,
      ancestors: image.ancestors ?? "/",
    });
  }
  const toCreate = wanted.filter((image) => !imageIds.has(`${image.repositoryId}:${image.dockerImageId}`));
  const newIds = await store.allocateIds("image", toCreate.length);
  const imageRef = (ref: ImageRef): { id: number; ancestors: string } => {
    if (ref.kind === "image") return { id: ref.imageId, ancestors: ref.ancestors ?? "/" };
    const found = imageIds.get(`${ref.repositoryId}:${ref.dockerImageId}`);
    if (found === undefined) throw new Error(`synthesised image ${ref.dockerImageId} has no row`);
    return found;
  };
  const newImages: NewImage[] = toCreate.map((image, index) => {
    const parent = image.parent === null ? null : imageRef(image.parent);
    const row = {
      id: newIds[index] as number,
      dockerImageId: image.dockerImageId,
      repositoryId: image.repositoryId,
      ancestors: parent === null ? "/" : `${parent.ancestors}${parent.id}/`,
      storageId: image.storageId,
      created: image.created,
      comment: image.comment,
      command: image.command,
      aggregateSize: image.aggregateSize,
      v1JsonMetadata: image.v1JsonMetadata,
      parentId: parent?.id ?? null,
    };
    imageIds.set(`${image.repositoryId}:${image.dockerImageId}`, { id: row.id, ancestors: row.ancestors });
    return row;
  });
  const inserted = (await store.insertImages(newImages)).length;
  if (inserted !== newImages.length) throw new ImageRace("an image row appeared during the write");
  return { inserted, imageRef };
}
