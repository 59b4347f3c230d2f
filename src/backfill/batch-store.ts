import type { ChainImage, LegacyTag, TagManifestLabel } from "./batch-input.js";
import type {
  BatchTagKey,
  BatchTagSelection,
  EnumIds,
  ExistingManifest,
  ExistingTag,
  ManifestKey,
  ManifestParts,
  MappedState,
  RepositoryBlob,
  RepositoryBlobKey,
  RepositoryImage,
  RepositoryImageKey,
  StoredManifestText,
  TagKey,
  TagState,
} from "./store-read-rows.js";
import type {
  InsertedManifest,
  NewImage,
  NewManifest,
  NewManifestBlob,
  NewManifestLabel,
  NewManifestLegacyImage,
  NewTag,
  NewTagManifest,
  NewTagManifestLabelMap,
  NewTagManifestLink,
  NewTagMapping,
  TagOutcomeRow,
} from "./store-write-rows.js";

/**
 * What the batch core reads from storage (docs/architecture.md): each call is one statement, or none
 * when it has nothing to ask, so a batch costs a fixed number of statements whatever its size.
 */
export interface BatchReads {
  loadBatchTags(selection: BatchTagSelection): Promise<LegacyTag[]>;
  loadBatchTagKeys(selection: BatchTagSelection): Promise<BatchTagKey[]>;
  loadImagesById(ids: readonly number[]): Promise<ChainImage[]>;
  loadRepositoryImages(keys: readonly RepositoryImageKey[]): Promise<RepositoryImage[]>;
  loadRepositoryBlobs(keys: readonly RepositoryBlobKey[]): Promise<RepositoryBlob[]>;
  loadTagManifestLabels(tagManifestIds: readonly number[]): Promise<TagManifestLabel[]>;
  loadTagStates(ids: readonly number[]): Promise<TagState[]>;
  loadExistingTags(keys: readonly TagKey[]): Promise<ExistingTag[]>;
  loadMappedStates(ids: readonly number[]): Promise<MappedState[]>;
  loadManifestParts(keys: readonly ManifestKey[]): Promise<ManifestParts[]>;
  loadStorageChecksums(ids: readonly number[]): Promise<Map<number, string>>;
  loadExistingManifests(keys: readonly ManifestKey[]): Promise<ExistingManifest[]>;
  loadStoredManifestTexts(keys: readonly ManifestKey[]): Promise<StoredManifestText[]>;
  /** Whether the store refused a statement because of a value (see loadBatchIsolated): retrying cannot help. */
  isDataError(err: unknown): boolean;
}

/** The writes of one batch, inside its write transaction (reads there see the transaction's own rows). */
export interface BatchWrites extends BatchReads {
  /** Lowers the cost of the large texts this transaction stores (nothing where the store cannot). */
  preferLz4Toast(): Promise<void>;
  /** Locks the tags, in id order, until the transaction ends. */
  lockRepositoryTags(ids: readonly number[]): Promise<void>;
  // Savepoints of the transaction: a part of the batch that fails is rolled back alone.
  savepoint(name: string): Promise<void>;
  releaseSavepoint(name: string): Promise<void>;
  rollbackToSavepoint(name: string): Promise<void>;
  allocateIds(table: "image" | "tag", n: number): Promise<number[]>;
  insertImages(rows: readonly NewImage[]): Promise<number[]>;
  insertManifests(rows: readonly NewManifest[]): Promise<InsertedManifest[]>;
  insertManifestBlobs(rows: readonly NewManifestBlob[]): Promise<number>;
  insertManifestLegacyImages(rows: readonly NewManifestLegacyImage[]): Promise<number>;
  insertManifestLabels(
    rows: readonly NewManifestLabel[],
  ): Promise<{ inserted: number; ids: { id: number; manifestId: number; labelId: number }[] }>;
  insertTagManifestLabelMaps(rows: readonly NewTagManifestLabelMap[]): Promise<number>;
  insertTagManifestLinks(rows: readonly NewTagManifestLink[]): Promise<number[]>;
  insertTagManifests(rows: readonly NewTagManifest[]): Promise<{ id: number; tagId: number }[]>;
  insertTagMappings(rows: readonly NewTagMapping[]): Promise<number[]>;
  insertTags(rows: readonly NewTag[]): Promise<number[]>;
  upsertTagOutcomes(rows: readonly TagOutcomeRow[]): Promise<number>;
  // The guarded updates of a repair: false when the row changed since the repair was planned.
  updateManifestBytes(row: {
    manifestId: number;
    digest: string;
    bytes: string;
    mediaTypeId: number;
  }): Promise<boolean>;
  replacePlaceholderTagManifest(row: {
    id: number;
    oldDigest: string;
    digest: string;
    json: string;
  }): Promise<boolean>;
  updateTagManifestLink(row: {
    id: number;
    oldManifestId: number;
    manifestId: number;
    broken: boolean | null;
  }): Promise<boolean>;
  pointTagAtManifest(row: {
    tagId: number;
    oldManifestId: number | null;
    manifestId: number;
  }): Promise<boolean>;
  repointTagManifestLabels(row: {
    tagManifestId: number;
    repositoryId: number;
    manifestId: number;
  }): Promise<number>;
  deleteUnusedManifest(manifestId: number): Promise<boolean>;
}

/** One batch's use of the store: its statements are counted (BatchResult.queries). */
export interface BatchSession<Tx> extends BatchReads {
  readonly queries: number;
  /** The ids of fixed enum rows, read once per store. */
  loadEnumIds(): Promise<EnumIds>;
  /**
   * Runs `fn` in one write transaction, committed when it resolves and rolled back when it throws. `trx`
   * is the store's own handle, opaque to the core: it is handed to the batch's `finalize`.
   */
  transaction<T>(fn: (writes: BatchWrites, trx: Tx) => Promise<T>): Promise<T>;
}

/** The storage the batch core runs on (the port; src/db/batch-store.ts implements it for PostgreSQL). */
export interface BatchStore<Tx> {
  /** `runId`: the run the batch belongs to, for the store to name its write transaction after. */
  session(runId?: string): BatchSession<Tx>;
}
