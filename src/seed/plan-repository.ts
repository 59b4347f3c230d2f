import type { BaseImage } from "./base-images.js";
import { ChainBuilder, type IdCounters, type PlannedImage } from "./plan-chain.js";
import { Prng } from "./prng.js";
import { DEFECT_CLASSES, type DefectClass, type SeedOptions } from "./seed-options.js";

export type TagManifestKind = "signed" | "unsigned" | "corrupt";

export interface PlannedTag {
  readonly id: number;
  readonly name: string;
  readonly image: PlannedImage;
  readonly startTs: number;
  endTs: number | null;
  readonly hidden: boolean;
  reversion: boolean;
  readonly defect: DefectClass | null;
  readonly tagManifest: TagManifestKind | null;
  tagManifestId: number | null;
  /** Labels on the existing tagmanifest. */
  readonly labels: { labelId: number; tagManifestLabelId: number }[];
}

export interface RepositoryPlan {
  readonly index: number;
  readonly id: number;
  readonly namespaceUserId: number;
  readonly namespace: string;
  readonly name: string;
  readonly images: readonly PlannedImage[];
  readonly tags: readonly PlannedTag[];
}

/** The dataset's "now": every dead tag ended before it. */
export const DATASET_END_TS = Date.UTC(2021, 5, 30) / 1000;
/** An expiry still in the future (and within a signed 32-bit `lifetime_end_ts`): 2037-12-31. */
export const FUTURE_END_TS = Date.UTC(2037, 11, 31) / 1000;
const FIRST_START_TS = Date.UTC(2015, 0, 1) / 1000;
const LAST_START_TS = Date.UTC(2019, 0, 1) / 1000;

interface RepositoryInput {
  readonly index: number;
  readonly id: number;
  readonly namespaceUserId: number;
  readonly namespace: string;
  readonly name: string;
  readonly tagCount: number;
  readonly bases: readonly BaseImage[];
}

/**
 * Decides one repository's images and tag rows (names, lifetimes, defects, existing manifests) from the
 * repository's own stream. Tag names move over time: a re-push ends the previous row (a dead tag), a
 * delete ends it without successor, and temporary hidden tags expire minutes after they are made.
 */
export function planRepository(
  options: SeedOptions,
  input: RepositoryInput,
  ids: IdCounters,
  storageOffset: number,
): RepositoryPlan {
  const prng = Prng.derive(options.seed, "repository", input.index);
  const chains = new ChainBuilder(prng, ids, storageOffset);
  for (const base of input.bases) chains.addBase(base.layers);

  const tags: PlannedTag[] = [];
  const current = new AliveTags();
  const names = new TagNames(prng);
  let clock = prng.int(FIRST_START_TS, LAST_START_TS);
  // Uniform gaps of at most 2 * meanGap over ~1.06 events per tag (deletes) stay within 85% of the
  // span, so every lifetime ends before DATASET_END_TS.
  const meanGap = Math.max(1, (DATASET_END_TS - clock) / (input.tagCount * 2.5));

  while (tags.length < input.tagCount) {
    clock += 1 + Math.floor(prng.next() * 2 * meanGap);
    const hidden = prng.chance(options.hiddenRate);
    if (hidden) {
      const image = chains.pickRecent() ?? chains.clean(clock, false);
      tags.push(tag(++ids.tag, `${prng.uuid()}`, image, clock, clock + prng.int(60, 3600), true));
      continue;
    }
    const roll = prng.next();
    const existing = current.size > 0 ? prng.pick(current.alive) : undefined;
    if (existing && roll < 0.05) {
      existing.endTs = clock; // deleted
      current.delete(existing);
      continue;
    }
    const repush = existing !== undefined && roll < 0.3;
    const name = repush ? existing.name : names.next(current);
    if (repush) {
      existing.endTs = clock;
      current.delete(existing);
    }

    const defect = drawDefect(prng, options.rates);
    const reversion = defect === null && repush && prng.chance(0.1);
    const image = defect
      ? chains.defective(defect, clock)
      : reversion
        ? (chains.pickRecent() ?? chains.clean(clock, true))
        : chains.clean(clock, tags.length > 0);
    const manifest = defect === null ? drawTagManifest(prng, options.tagManifestRate) : null;
    const row = tag(++ids.tag, name, image, clock + 1, null, false, defect, manifest);
    row.reversion = reversion;
    if (manifest) {
      row.tagManifestId = ++ids.tagManifest;
      const count = prng.chance(0.3) ? prng.int(1, 3) : 0;
      for (let i = 0; i < count; i++) {
        row.labels.push({ labelId: ++ids.label, tagManifestLabelId: ++ids.tagManifestLabel });
      }
    }
    tags.push(row);
    current.add(row);
    clock += 1;
  }
  for (const row of current.alive) {
    if (prng.chance(0.01)) row.endTs = FUTURE_END_TS;
  }
  return { ...input, images: chains.images, tags };
}

function tag(
  id: number,
  name: string,
  image: PlannedImage,
  startTs: number,
  endTs: number | null,
  hidden: boolean,
  defect: DefectClass | null = null,
  tagManifest: TagManifestKind | null = null,
): PlannedTag {
  const labels: PlannedTag["labels"] = [];
  return {
    id,
    name,
    image,
    startTs,
    endTs,
    hidden,
    reversion: false,
    defect,
    tagManifest,
    tagManifestId: null,
    labels,
  };
}

/** One draw per visible tag, whatever the rates, so changing one rate moves few other tags. */
function drawDefect(prng: Prng, rates: Readonly<Record<DefectClass, number>>): DefectClass | null {
  let u = prng.next();
  for (const defect of DEFECT_CLASSES) {
    u -= rates[defect];
    if (u < 0) return defect;
  }
  return null;
}

function drawTagManifest(prng: Prng, rate: number): TagManifestKind | null {
  const u = prng.next();
  if (u >= rate) return null;
  const kind = u / rate;
  return kind < 0.6 ? "signed" : kind < 0.85 ? "unsigned" : "corrupt";
}

/** The alive tag of each name: a list to draw from and an index by name. */
class AliveTags {
  readonly alive: PlannedTag[] = [];
  private readonly byName = new Map<string, number>();

  get size(): number {
    return this.alive.length;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  add(tag: PlannedTag): void {
    this.byName.set(tag.name, this.alive.length);
    this.alive.push(tag);
  }

  delete(tag: PlannedTag): void {
    const index = this.byName.get(tag.name);
    if (index === undefined) return;
    const last = this.alive.pop() as PlannedTag;
    if (last !== tag) {
      this.alive[index] = last;
      this.byName.set(last.name, index);
    }
    this.byName.delete(tag.name);
  }
}

/** Tag names the way people chose them: latest, versions, dates, build numbers, commit ids. */
class TagNames {
  private readonly used = new Set<string>();
  private version = [1, 0, 0];
  private build = 100;

  constructor(private readonly prng: Prng) {}

  next(current: AliveTags): string {
    for (;;) {
      const name = this.candidate(current);
      if (!current.has(name)) {
        this.used.add(name);
        return name;
      }
    }
  }

  private candidate(current: AliveTags): string {
    if (!this.used.has("latest") && !current.has("latest")) return "latest";
    const p = this.prng;
    switch (p.int(0, 6)) {
      case 0:
      case 1: {
        const [major = 1, minor = 0, patch = 0] = this.version;
        this.version = p.chance(0.2) ? [major, minor + 1, 0] : [major, minor, patch + 1];
        if (p.chance(0.05)) this.version = [major + 1, 0, 0];
        return `${p.chance(0.5) ? "v" : ""}${this.version.join(".")}`;
      }
      case 2:
        return `build-${this.build++}`;
      case 3:
        return `sha-${p.hex(7)}`;
      case 4:
        return `${p.int(2015, 2021)}.${String(p.int(1, 12)).padStart(2, "0")}.${String(p.int(1, 28)).padStart(2, "0")}`;
      case 5:
        return p.pick(["stable", "dev", "edge", "nightly", "canary", "prod", "staging", "rc"]);
      default:
        return `release-${p.int(1, 400)}_${p.pick(["amd64", "fips", "slim", "debug"])}`;
    }
  }
}
