import type { BatchReads } from "../backfill/batch-store.js";
import type { MappedTag } from "../verify/mapped-tag.js";
import type { TagLookup, TagRef } from "./tag-lookup.js";

/** What `explain` reads, inside one read-only transaction (src/db/explain-source.ts implements it). */
export interface ExplainReads {
  /** The batch core's own reads: the tag's facts are loaded as a batch loads them. */
  batch: BatchReads;
  /** The tag by id or name; `nowTs` (seconds) decides which rows are alive. */
  findTag(ref: TagRef, nowTs: number): Promise<TagLookup>;
  /** The rows a mapped tag consists of, as verify reads them; undefined when it is not mapped. */
  loadMappedTag(repositoryTagId: number): Promise<MappedTag | undefined>;
  /** A written manifest row's bytes and its number of blob rows. */
  loadWrittenManifest(manifestId: number): Promise<{ bytes: string; blobs: number }>;
}

export interface ExplainSource {
  /** Runs `fn` in one READ ONLY transaction, so nothing it reads through can write. */
  readOnly<T>(fn: (reads: ExplainReads) => Promise<T>): Promise<T>;
}
