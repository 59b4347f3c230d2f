import type { BaseLayer } from "./base-images.js";
import type { Prng } from "./prng.js";
import type { DefectClass } from "./seed-options.js";
import { isStorageFlawClass, type StorageFlawClass } from "./storage-flaws.js";

export type V1Flaw = "not-json" | "not-object" | "no-id" | "unpullable";
export type Bloat = "strippable" | "leaf";

/** One `image` row of a repository as decided (what it says is rendered later, from its own stream). */
export interface PlannedImage {
  /** Position in the repository: names the image's rendering stream, whatever the id offsets. */
  readonly ordinal: number;
  readonly imageId: number;
  readonly parent: PlannedImage | null;
  readonly depth: number;
  readonly ancestors: string;
  /** What the row's `ancestors` says instead (`ancestors-out-of-range`); `ancestors` stays the truth. */
  ancestorsOverride?: string;
  readonly base: BaseLayer | undefined;
  readonly createdTs: number;
  dockerId: string;
  /** The `id` the v1 JSON says; undefined for `v1-no-id`. Differs from dockerId for `id-collision`. */
  jsonId: string | undefined;
  /** A v1 `parent` that is not the parent's id (`chain-mismatch`). */
  jsonParentOverride?: string;
  /** 0 while unassigned (a missing image has no storage). */
  storageId: number;
  throwaway: boolean;
  /** Whether later tags may point at or build on it: never for a defective tag's own layers. */
  reusable: boolean;
  /** Decided but not written: its id is the missing parent of its child. */
  missing: boolean;
  /** The storage defect class of this layer (storage-flaws.ts). */
  storageFlaw?: StorageFlawClass;
  v1Flaw?: V1Flaw;
  bloat?: Bloat;
}

export interface IdCounters {
  image: number;
  storage: number;
  tag: number;
  tagManifest: number;
  label: number;
  tagManifestLabel: number;
}

const MAX_DEPTH = 40;
const RECENT = 16;

/**
 * Builds one repository's image graph: the base chains it starts from, shared build layers that later
 * tags reuse, and private layers for defective tags so a defect reaches exactly one tag.
 */
export class ChainBuilder {
  readonly images: PlannedImage[] = [];
  private readonly baseNodes: PlannedImage[] = [];
  private readonly recent: PlannedImage[] = [];

  constructor(
    private readonly prng: Prng,
    private readonly ids: IdCounters,
    private readonly storageOffset: number,
  ) {}

  addBase(layers: readonly BaseLayer[]): void {
    let parent: PlannedImage | null = null;
    for (const layer of layers) {
      const node = this.node(parent, layer.createdTs, layer);
      node.storageId = this.storageOffset + layer.storageOrdinal;
      node.throwaway = layer.throwaway;
      this.baseNodes.push(node);
      parent = node;
    }
  }

  /** The image of a clean tag: an existing one (re-tag) or a new build on a shared parent. */
  clean(createdTs: number, allowAlias: boolean): PlannedImage {
    if (allowAlias && this.recent.length > 0 && this.prng.chance(0.3)) return this.prng.pick(this.recent);
    const depth = this.sampleDepth();
    const baseAtDepth = this.baseNodes.filter((n) => n.depth === depth);
    if (baseAtDepth.length > 0 && (depth === 1 || this.prng.chance(0.15))) return this.prng.pick(baseAtDepth);
    // A build adds one to three layers on a shared image; deeper targets than any shared image add more.
    const parent = this.pickParent(Math.max(1, depth - (this.prng.chance(0.5) ? this.prng.int(1, 3) : 1)));
    const chain = this.assignStorages(this.build(parent, depth - parent.depth, createdTs, true));
    const leaf = chain[chain.length - 1] as PlannedImage;
    this.recent.push(leaf);
    if (this.recent.length > RECENT) this.recent.shift();
    return leaf;
  }

  /** An image the tag points at but that no later tag reuses (hidden push tags, reverted ones). */
  pickRecent(): PlannedImage | undefined {
    return this.recent.length > 0 ? this.prng.pick(this.recent) : undefined;
  }

  /** A chain of the tag's own with the defect injected into its private layers. */
  defective(defect: DefectClass, createdTs: number): PlannedImage {
    const own = this.privateLayerCount(defect);
    const depth = Math.min(MAX_DEPTH, Math.max(this.sampleDepth(), own + 1));
    const parent = this.pickParent(depth - own);
    const chain = this.build(parent, own, createdTs, false);
    const leaf = chain[own - 1] as PlannedImage;
    const some = this.prng.pick(chain);
    if (isStorageFlawClass(defect)) {
      some.throwaway = false;
      some.storageFlaw = defect;
    } else {
      this.inject(defect, chain, some, createdTs);
    }
    this.assignStorages(chain);
    return leaf;
  }

  /** Every defect class that is not a storage flaw, into the tag's private layers. */
  private inject(
    defect: Exclude<DefectClass, StorageFlawClass>,
    chain: PlannedImage[],
    some: PlannedImage,
    createdTs: number,
  ): void {
    const leaf = chain[chain.length - 1] as PlannedImage;
    const lower = chain[0] as PlannedImage;
    switch (defect) {
      case "missing-parent":
        lower.missing = true;
        break;
      case "v1-nul-id":
        // The row's docker_image_id stays valid (a text column cannot hold NUL); only the JSON's id has it.
        some.jsonId = `\u0000${some.dockerId.slice(1)}`;
        break;
      case "ancestors-out-of-range":
        leaf.ancestorsOverride = this.prng.pick([
          "/0/-1/99999999999/",
          `${leaf.ancestors}2147483648/`,
          `/${"9".repeat(20)}${leaf.ancestors}`,
        ]);
        break;
      case "v1-unpullable":
        leaf.v1Flaw = "unpullable";
        leaf.throwaway = false;
        break;
      case "v1-not-json":
        leaf.v1Flaw = "not-json";
        break;
      case "v1-not-object":
        leaf.v1Flaw = "not-object";
        break;
      case "v1-no-id":
        leaf.v1Flaw = "no-id";
        leaf.jsonId = undefined;
        break;
      case "invalid-id":
        some.dockerId = this.invalidId(some.dockerId);
        some.jsonId = some.dockerId;
        break;
      case "id-collision":
        lower.throwaway = false;
        lower.jsonId = this.collisionTarget(chain, createdTs).dockerId;
        break;
      case "chain-mismatch":
        leaf.jsonParentOverride = this.prng.hex(64);
        break;
      case "oversize-metadata":
        for (const node of chain.slice(0, -1)) node.bloat = "strippable";
        break;
      case "oversize-leaf":
        leaf.bloat = "leaf";
        leaf.throwaway = false;
        break;
    }
  }

  /** Two where the defect needs a lower private layer; three or four for metadata on "many layers". */
  private privateLayerCount(defect: DefectClass): number {
    if (defect === "missing-parent" || defect === "id-collision") return 2;
    if (defect === "oversize-metadata") return this.prng.int(3, 4);
    return this.prng.int(1, 2);
  }

  /** Depth 1 to 40, mean about 8: most images are a few layers on a base, a few are very deep. */
  private sampleDepth(): number {
    for (;;) {
      const depth = 1 + Math.floor(this.prng.exponential(7.5));
      if (depth <= MAX_DEPTH) return depth;
    }
  }

  /**
   * A shared image at most `maxDepth` (>= 1) deep: the deepest of three recent or base images, or its
   * ancestor at that depth, so builds share their lower layers the way Dockerfiles with a common
   * beginning do.
   */
  private pickParent(maxDepth: number): PlannedImage {
    const candidates = [...this.baseNodes, ...this.recent];
    let best = this.prng.pick(candidates);
    for (let i = 0; i < 2; i++) {
      const other = this.prng.pick(candidates);
      if (other.depth > best.depth) best = other;
    }
    // Every chain ends in a base root of depth 1.
    while (best.depth > maxDepth && best.parent) best = best.parent;
    return best;
  }

  private build(parent: PlannedImage, count: number, createdTs: number, reusable: boolean): PlannedImage[] {
    const chain: PlannedImage[] = [];
    let current = parent;
    // Layers of one build a few seconds to a minute and a half apart, after their parent, by createdTs.
    let time = Math.max(parent.createdTs, createdTs - count * 90);
    for (let i = 0; i < count; i++) {
      time = Math.min(createdTs, time + this.prng.int(1, 90));
      const node = this.node(current, time, undefined);
      node.throwaway = this.prng.chance(0.3);
      node.reusable = reusable;
      chain.push(node);
      current = node;
    }
    return chain;
  }

  /** Storage ids in chain order, after defects are known: a missing image has none. */
  private assignStorages(chain: PlannedImage[]): PlannedImage[] {
    for (const node of chain) if (!node.missing) node.storageId = ++this.ids.storage;
    return chain;
  }

  private node(parent: PlannedImage | null, createdTs: number, base: BaseLayer | undefined): PlannedImage {
    const dockerId = base?.dockerId ?? this.prng.hex(64);
    const node: PlannedImage = {
      ordinal: this.images.length,
      imageId: ++this.ids.image,
      parent,
      depth: parent ? parent.depth + 1 : 1,
      ancestors: parent ? `${parent.ancestors}${parent.imageId}/` : "/",
      base,
      createdTs,
      dockerId,
      jsonId: dockerId,
      storageId: 0,
      throwaway: false,
      reusable: true,
      missing: false,
    };
    this.images.push(node);
    return node;
  }

  private invalidId(valid: string): string {
    switch (this.prng.int(0, 4)) {
      case 0:
        return valid.toUpperCase();
      case 1:
        return valid.slice(0, 12);
      case 2:
        return `${valid}${this.prng.hex(2)}`;
      case 3:
        return `sha256:${valid}`;
      default:
        return `${valid.slice(0, 63)}g`;
    }
  }

  /** A real layer of the repository outside this chain; a dangling decoy image when there is none. */
  private collisionTarget(chain: readonly PlannedImage[], createdTs: number): PlannedImage {
    const inChain = new Set<PlannedImage>();
    for (let n: PlannedImage | null = chain[chain.length - 1] ?? null; n; n = n.parent) inChain.add(n);
    const candidates = this.images.filter(
      (n) => n.reusable && !n.missing && !n.throwaway && !n.storageFlaw && !inChain.has(n),
    );
    if (candidates.length > 0) return this.prng.pick(candidates);
    const root = this.baseNodes[0] as PlannedImage;
    const decoy = this.build(root, 1, createdTs - 86400, false)[0] as PlannedImage;
    decoy.throwaway = false;
    this.assignStorages([decoy]);
    return decoy;
  }
}
