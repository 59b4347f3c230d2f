import type { BatchReads } from "./batch-store.js";
import type { BatchTagSelection, RepositoryBlobKey, RepositoryImageKey } from "./store-read-rows.js";
import { createLayerCache, type LayerCache } from "../manifest/layer-cache.js";
import { parseAncestors } from "../manifest/v1-id-rules.js";
import type { ChainImage, LegacyTag, TagManifestLabel } from "./batch-input.js";
import { blobsOutsideChain, readStoredManifest, type StoredManifest } from "./plan-stored-tag.js";
import { resolveChain, type ChainResolution } from "./resolve-chain.js";
import { holdsOwnPlaceholder } from "./tag-plan.js";

/** Everything the planner needs about one batch, read in a fixed number of set-based queries. */
export interface BatchFacts {
  tags: LegacyTag[];
  resolutions: Map<number, ChainResolution>;
  stored: Map<number, StoredManifest>;
  /** v1 id -> checksum of images per repository, for the ids the chains' metadata claim. */
  repositoryImages: Map<number, Map<string, string>>;
  /** checksum -> storage id per repository, for stored manifests' blobs outside their chain. */
  repositoryBlobs: Map<number, Map<string, number>>;
  labels: Map<number, TagManifestLabel[]>;
  /** Tags whose facts could not be derived (an unexpected error), with the message. */
  errors: Map<number, string>;
  /** Tags whose own row PostgreSQL could not hand over (see loadBatchIsolated), with the detail. */
  unreadable: Map<number, string>;
  /**
   * The batch's layer cache, holding the v1 metadata the load parsed for the ids the chains claim: the
   * planner's manifests reuse those parses. One is made when absent.
   */
  layerCache?: LayerCache;
}

/** Facts of no tag: the start of a merge, or of a single tag's load. */
export function emptyFacts(): BatchFacts {
  return {
    tags: [],
    resolutions: new Map(),
    stored: new Map(),
    repositoryImages: new Map(),
    repositoryBlobs: new Map(),
    labels: new Map(),
    errors: new Map(),
    unreadable: new Map(),
  };
}

export function isCandidate(tag: LegacyTag, force = false): boolean {
  return !tag.hidden && (force || !tag.mapped);
}

/**
 * A mapped tag as `reprocess --force` plans it: as if it were not mapped yet, so the plan is what a first
 * backfill would write today. Its link is ignored (the plan is compared with it afterwards), and Quay's
 * placeholder tag manifest (`BROKEN-<id>`) counts as none, so the manifest is generated from the chain.
 * Any other tag manifest is read as stored; plan-batch tells the one a run generated (asGeneratedByRun).
 */
export function recomputable(tag: LegacyTag): LegacyTag {
  if (!tag.mapped) return tag;
  return { ...tag, manifestLink: null, tagManifest: holdsOwnPlaceholder(tag) ? null : tag.tagManifest };
}

/**
 * Who asks: a run (visible tags not mapped yet), `reprocess --force` (mapped tags too, planned as if
 * unmapped: see recomputable), or `explain` (the tags whatever their state, with every chain and the ids
 * it claims, and without the placeholder a run wrote read as a stored manifest, so a tag's defects read
 * the same before and after a run; the planner still skips what a run skips).
 */
export type LoadMode = "run" | "force" | "explain";

/**
 * Loads a batch: tags (1 query), their images (1), all ancestors (1), the repository images the rewrite
 * rule asks about (1; under reprocess also for mapped tags with a stored manifest), stored manifests'
 * blobs outside their chains (1), labels (1). A step with nothing to ask sends nothing.
 */
export async function loadBatch(
  store: BatchReads,
  selection: BatchTagSelection,
  mode: LoadMode = "run",
): Promise<BatchFacts> {
  const loaded = await store.loadBatchTags({ ...selection, includeMapped: mode !== "run" });
  const tags = mode === "force" ? loaded.map(recomputable) : loaded;
  const candidates = mode === "explain" ? tags : tags.filter((tag) => isCandidate(tag, mode === "force"));
  const keys = new KeyCollector(mode);
  const images = await loadChainImages(store, candidates);
  for (const tag of candidates) keys.collect(tag, images);
  const { repositoryImages, repositoryBlobs } = await loadRepositoryIndexes(store, keys.images, keys.blobs);
  const labels = new Map<number, TagManifestLabel[]>();
  const storedIds = candidates.flatMap((tag) =>
    tag.tagManifest === null || (mode === "explain" && holdsOwnPlaceholder(tag)) ? [] : [tag.tagManifest.id],
  );
  for (const label of await store.loadTagManifestLabels(storedIds)) {
    labels.set(label.tagManifestId, [...(labels.get(label.tagManifestId) ?? []), label]);
  }
  return {
    tags,
    resolutions: keys.resolutions,
    stored: keys.stored,
    repositoryImages,
    repositoryBlobs,
    labels,
    errors: keys.errors,
    unreadable: new Map(),
    layerCache: keys.layerCache,
  };
}

/**
 * Resolves each candidate's chain and reads its stored manifest, collecting what the next queries ask
 * about: the v1 ids the chains claim and the stored manifests' blobs outside their chains. A tag whose
 * facts throw is recorded in `errors` and asks for nothing more.
 */
class KeyCollector {
  readonly resolutions = new Map<number, ChainResolution>();
  readonly stored = new Map<number, StoredManifest>();
  readonly errors = new Map<number, string>();
  readonly images = new Map<string, RepositoryImageKey>();
  readonly blobs = new Map<string, RepositoryBlobKey>();
  // Chains of one batch share their ancestors: parse each image's metadata for its id once, not per tag,
  // and keep the parse for the planner (layer-cache.ts).
  private readonly claimedIds = new Map<number, string | undefined>();
  readonly layerCache = createLayerCache();

  constructor(private readonly mode: LoadMode) {}

  collect(tag: LegacyTag, images: ReadonlyMap<number, ChainImage>): void {
    const resolution = this.guard(tag, () => resolveChain(tag.repositoryId, tag.imageId, images));
    if (resolution === undefined) return;
    this.resolutions.set(tag.id, resolution);
    const explain = this.mode === "explain";
    // The placeholder a run wrote is not stored data: explain never reads it as a manifest the tag had.
    if (tag.tagManifest !== null && !(explain && holdsOwnPlaceholder(tag))) {
      if (tag.manifestLink !== null && !explain) return;
      if (tag.manifestLink === null) {
        const manifest = this.guard(tag, () => readStoredManifest(tag.tagManifest?.json ?? ""));
        if (manifest === undefined) return;
        this.stored.set(tag.id, manifest);
        for (const checksum of blobsOutsideChain(manifest, resolution)) {
          this.blobs.set(`${tag.repositoryId}:${checksum}`, { repositoryId: tag.repositoryId, checksum });
        }
      }
    }
    // A mapped tag's stored manifest is compared with the one generated from its chain (plan-own-manifest).
    const asks = explain || tag.tagManifest === null || (tag.mapped && this.stored.get(tag.id)?.ok === true);
    if (!resolution.ok || !asks) return;
    for (const image of resolution.chain) {
      const id = this.guard(tag, () => this.claimedIdOf(image));
      if (id !== undefined) {
        this.images.set(`${tag.repositoryId}:${id}`, { repositoryId: tag.repositoryId, dockerImageId: id });
      }
    }
  }

  private claimedIdOf(image: ChainImage): string | undefined {
    if (this.claimedIds.has(image.id)) return this.claimedIds.get(image.id);
    const id = this.layerCache.claimedId(image.v1JsonMetadata);
    this.claimedIds.set(image.id, id);
    return id;
  }

  private guard<T>(tag: LegacyTag, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.errors.set(tag.id, err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }
}

/** The images of the candidates' chains: their leaves (1 query), then every ancestor not among them (1). */
async function loadChainImages(
  store: BatchReads,
  candidates: readonly LegacyTag[],
): Promise<Map<number, ChainImage>> {
  const leaves = await store.loadImagesById(candidates.map((tag) => tag.imageId));
  const images = new Map<number, ChainImage>(leaves.map((image) => [image.id, image]));
  const ancestorIds = new Set<number>();
  for (const leaf of leaves)
    for (const id of parseAncestors(leaf.ancestors) ?? []) if (!images.has(id)) ancestorIds.add(id);
  for (const image of await store.loadImagesById([...ancestorIds])) images.set(image.id, image);
  return images;
}

/** The repository images (v1 id -> checksum) and blobs (checksum -> storage) the keys ask about. */
async function loadRepositoryIndexes(
  store: BatchReads,
  imageKeys: ReadonlyMap<string, RepositoryImageKey>,
  blobKeys: ReadonlyMap<string, RepositoryBlobKey>,
): Promise<Pick<BatchFacts, "repositoryImages" | "repositoryBlobs">> {
  const repositoryImages = new Map<number, Map<string, string>>();
  for (const image of await store.loadRepositoryImages([...imageKeys.values()])) {
    const byId = repositoryImages.get(image.repositoryId) ?? new Map<string, string>();
    // Quay compares the layer's blob with the stored checksum; a storage without one never matches.
    byId.set(image.dockerImageId, image.checksum ?? "");
    repositoryImages.set(image.repositoryId, byId);
  }
  const repositoryBlobs = new Map<number, Map<string, number>>();
  for (const blob of await store.loadRepositoryBlobs([...blobKeys.values()])) {
    const byChecksum = repositoryBlobs.get(blob.repositoryId) ?? new Map<string, number>();
    byChecksum.set(blob.checksum, blob.storageId);
    repositoryBlobs.set(blob.repositoryId, byChecksum);
  }
  return { repositoryImages, repositoryBlobs };
}
