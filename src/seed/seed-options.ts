import { UsageError } from "../errors.js";
import { SEED_DEFECTS } from "../reason-registry.js";

/** Every defect class the seeder can inject (src/reason-registry.ts), with its default rate and help. */
export const DEFECTS = SEED_DEFECTS;

export type DefectClass = keyof typeof DEFECTS;
export const DEFECT_CLASSES = Object.keys(DEFECTS) as DefectClass[];

export const MIN_TAGS = 100;
export const MAX_TAGS = 1_000_000;

export interface SeedOptions {
  /** Any text; the same seed and options give the same rows, ids included. */
  readonly seed: string;
  readonly tags: number;
  /** Fraction of visible tags that get each defect (at most one defect per tag). */
  readonly rates: Readonly<Record<DefectClass, number>>;
  /** Fraction of clean visible tags that already have a `tagmanifest` row. */
  readonly tagManifestRate: number;
  /** Fraction of tag rows that are hidden (temporary push tags). */
  readonly hiddenRate: number;
  /** Where each table's ids start (the rows get max + 1 onwards); all 0 on an empty database. */
  readonly idOffsets: Readonly<IdOffsets>;
}

export interface IdOffsets {
  user: number;
  repository: number;
  imagestorage: number;
  image: number;
  repositorytag: number;
  tagmanifest: number;
  label: number;
  tagmanifestlabel: number;
}

export const NO_OFFSETS: Readonly<IdOffsets> = Object.freeze({
  user: 0,
  repository: 0,
  imagestorage: 0,
  image: 0,
  repositorytag: 0,
  tagmanifest: 0,
  label: 0,
  tagmanifestlabel: 0,
});

export const DEFAULT_TAG_MANIFEST_RATE = 0.02;
export const DEFAULT_HIDDEN_RATE = 0.02;

export function defaultRates(): Record<DefectClass, number> {
  return Object.fromEntries(DEFECT_CLASSES.map((d) => [d, DEFECTS[d].rate])) as Record<DefectClass, number>;
}

export function cleanRates(): Record<DefectClass, number> {
  return Object.fromEntries(DEFECT_CLASSES.map((d) => [d, 0])) as Record<DefectClass, number>;
}

/** Options with defaults filled in and every value checked; throws UsageError naming the bad one. */
export interface SeedOptionsInput {
  readonly tags: number;
  readonly seed?: string;
  readonly rates?: Readonly<Partial<Record<DefectClass, number>>>;
  readonly tagManifestRate?: number | undefined;
  readonly hiddenRate?: number | undefined;
  readonly idOffsets?: Readonly<Partial<IdOffsets>>;
}

export function seedOptions(partial: SeedOptionsInput): SeedOptions {
  const options: SeedOptions = {
    seed: partial.seed ?? "1",
    tags: partial.tags,
    rates: { ...defaultRates(), ...partial.rates },
    tagManifestRate: partial.tagManifestRate ?? DEFAULT_TAG_MANIFEST_RATE,
    hiddenRate: partial.hiddenRate ?? DEFAULT_HIDDEN_RATE,
    idOffsets: { ...NO_OFFSETS, ...partial.idOffsets },
  };
  if (!Number.isInteger(options.tags) || options.tags < MIN_TAGS || options.tags > MAX_TAGS) {
    throw new UsageError(
      `--tags must be an integer from ${MIN_TAGS} to ${MAX_TAGS.toLocaleString("en-US")}, got ${options.tags}`,
    );
  }
  let sum = 0;
  for (const defect of DEFECT_CLASSES) {
    const rate = options.rates[defect];
    checkFraction(`--rate-${defect}`, rate);
    sum += rate;
  }
  if (sum > 1) {
    throw new UsageError(
      `the defect rates add up to ${sum}; a tag gets at most one defect, so keep them <= 1`,
    );
  }
  checkFraction("--tagmanifest-rate", options.tagManifestRate);
  checkFraction("--hidden-rate", options.hiddenRate);
  for (const [table, offset] of Object.entries(options.idOffsets)) {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new UsageError(`id offset of ${table} must be a non-negative integer, got ${offset}`);
    }
  }
  return options;
}

function checkFraction(flag: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${flag} must be a fraction from 0 to 1 (e.g. 0.005 for 0.5%), got ${value}`);
  }
}
