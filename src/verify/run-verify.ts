import { checkMappedTag } from "./check-mapped-tag.js";
import { inspectManifest, type ManifestFacts } from "./inspect-manifest.js";
import type { ManifestBlob, MappedTag } from "./mapped-tag.js";
import { ProblemCollector, type ProblemExample, type ProblemSummary } from "./problem-collector.js";
import type { ProblemCode } from "./problem-classes.js";
import { chainStorages, type ChainImageInfo } from "./tag-chain.js";

/** Which mapped tags a chunk holds: the next keyset page after a repositorytag id, or explicit ids. */
export type MappedTagPage = { after: number; limit: number } | { ids: readonly number[] };

/** Everything one chunk's checks need, loaded in a constant number of set-based queries. */
export interface VerifyChunk {
  /** In repositorytag id order. */
  tags: MappedTag[];
  manifestBytes: ReadonlyMap<number, string>;
  /** `tagmanifest.json_data` by tagmanifest id, only for the tags whose bytes differ from their manifest's. */
  storedJson: ReadonlyMap<number, string>;
  blobs: ReadonlyMap<number, readonly ManifestBlob[]>;
  images: ReadonlyMap<number, ChainImageInfo>;
}

/** A whole-registry finding from one set-based query: a count and the first examples. */
export interface SetFinding {
  code: Extract<
    ProblemCode,
    "unmapped" | "orphan_tag" | "orphan_manifest" | "dangling_manifestblob" | "dangling_legacy_image"
  >;
  count: number;
  examples: ProblemExample[];
}

/** The database side, handed in (src/db/verify-source.ts), so the loop is tested without one. */
export interface VerifySource {
  countTags(): Promise<number>;
  sampleTagIds(size: number): Promise<number[]>;
  loadChunk(page: MappedTagPage): Promise<VerifyChunk>;
  findOrphans(): Promise<SetFinding[]>;
}

export interface VerifyOptions {
  chunkSize: number;
  /** Check this many tags, a deterministic sample, instead of all. */
  sample?: number;
  /** Key id of the operator's signing key, when known (see checkMappedTag). */
  ourKeyId?: string;
  onProgress?: (progress: { checkedTags: number; totalTags: number }) => void;
}

export interface VerifyReport {
  checkedTags: number;
  chunks: number;
  sample: number | null;
  failing: boolean;
  problems: ProblemSummary[];
}

/**
 * Streams over the mapped tags chunk by chunk (memory bounded by the chunk, never by the table), checks
 * each against its legacy rows, then runs the whole-registry orphan and coverage checks.
 */
export async function runVerify(source: VerifySource, options: VerifyOptions): Promise<VerifyReport> {
  const collector = new ProblemCollector();
  const totalTags =
    options.sample !== undefined ? options.sample : options.onProgress ? await source.countTags() : 0;
  let checkedTags = 0;
  let chunks = 0;
  const check = async (chunk: VerifyChunk): Promise<void> => {
    chunks += 1;
    await checkChunk(chunk, options, collector);
    checkedTags += chunk.tags.length;
    options.onProgress?.({ checkedTags, totalTags: Math.max(totalTags, checkedTags) });
  };

  if (options.sample !== undefined) {
    const ids = await source.sampleTagIds(options.sample);
    for (let i = 0; i < ids.length; i += options.chunkSize) {
      await check(await source.loadChunk({ ids: ids.slice(i, i + options.chunkSize) }));
    }
  } else {
    let after = -1;
    for (;;) {
      const chunk = await source.loadChunk({ after, limit: options.chunkSize });
      if (chunk.tags.length === 0) break;
      await check(chunk);
      const last = chunk.tags[chunk.tags.length - 1];
      if (last === undefined || chunk.tags.length < options.chunkSize) break;
      after = last.repositoryTagId;
    }
  }

  for (const finding of await source.findOrphans()) {
    collector.addCount(finding.code, finding.count, finding.examples);
  }
  return {
    checkedTags,
    chunks,
    sample: options.sample ?? null,
    failing: collector.hasFailing(),
    problems: collector.summaries(),
  };
}

async function checkChunk(
  chunk: VerifyChunk,
  options: VerifyOptions,
  collector: ProblemCollector,
): Promise<void> {
  // A manifest shared by many tags is parsed and its signatures verified once per chunk.
  const facts = new Map<number, ManifestFacts>();
  for (const [id, bytes] of chunk.manifestBytes) facts.set(id, await inspectManifest(bytes));
  const storedFacts = new Map<number, ManifestFacts>();
  for (const [id, json] of chunk.storedJson) storedFacts.set(id, await inspectManifest(json));
  for (const tag of chunk.tags) {
    const manifestId = tag.manifest?.id;
    const problems = checkMappedTag(tag, {
      manifestBytes: manifestId === undefined ? undefined : chunk.manifestBytes.get(manifestId),
      manifestFacts: manifestId === undefined ? undefined : facts.get(manifestId),
      storedFacts: tag.tagManifest === null ? undefined : storedFacts.get(tag.tagManifest.id),
      blobs: manifestId === undefined ? [] : (chunk.blobs.get(manifestId) ?? []),
      chain: chainStorages(tag.legacy.imageId, tag.leafAncestors, tag.legacy.repositoryId, chunk.images),
      ourKeyId: options.ourKeyId,
    });
    for (const problem of problems) collector.add(problem);
  }
}
