// The seeder's public surface: the CLI and the tests import from here.
export { generateSeed, type GenerateSeedOptions } from "./generate-seed.js";
export { LIBRARY_NAMESPACE, planDataset, SEED_EMAIL_DOMAIN } from "./plan-dataset.js";
export { DATASET_END_TS, FUTURE_END_TS, type TagManifestKind } from "./plan-repository.js";
export { expectedSeedDefects, planSeedTags, type SeedTagExpectation } from "./plan-seed-tags.js";
export type { SeedChunk } from "./seed-rows.js";
export {
  cleanRates,
  DEFECT_CLASSES,
  DEFECTS,
  defaultRates,
  MAX_TAGS,
  MIN_TAGS,
  seedOptions,
  type DefectClass,
  type SeedOptions,
  type SeedOptionsInput,
} from "./seed-options.js";
export { seedSigner } from "./seed-signer.js";
export { addChunk, emptyTotals, seedSummary, type SeedTotals } from "./seed-summary.js";
