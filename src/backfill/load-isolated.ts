import type { BatchReads } from "./batch-store.js";
import type { BatchTagKey, BatchTagSelection } from "./store-read-rows.js";
import type { LegacyTag } from "./batch-input.js";
import { emptyFacts, loadBatch, type BatchFacts } from "./load-batch.js";

/**
 * `loadBatch`, with a value PostgreSQL cannot hand over (or take back) isolated to its tags, as the
 * write stage isolates a row it cannot write: when a load fails on data, the batch's tags are loaded
 * again in halves until each failing tag is alone. Such a tag whose own row reads gets a chain that
 * could not be read (mapped broken, `unreadable_row`); one whose row does not read is failed with that
 * reason. Everything else of the batch loads, plans and commits as usual. Without a data error this is
 * `loadBatch` and costs nothing more.
 */
export async function loadBatchIsolated(
  store: BatchReads,
  selection: BatchTagSelection,
  force = false,
): Promise<BatchFacts> {
  try {
    return await loadBatch(store, selection, force ? "force" : "run");
  } catch (err) {
    if (!store.isDataError(err)) throw err;
  }
  const keys = await store.loadBatchTagKeys(selection);
  const parts: BatchFacts[] = [];
  const attempt = async (set: readonly BatchTagKey[]): Promise<void> => {
    try {
      parts.push(
        await loadBatch(store, { ...selection, tagIds: set.map((key) => key.id) }, force ? "force" : "run"),
      );
      return;
    } catch (err) {
      if (!store.isDataError(err)) throw err;
      const only = set[0];
      if (set.length === 1 && only !== undefined) {
        parts.push(await unreadableTag(store, selection, only, messageOf(err), force));
        return;
      }
    }
    const half = Math.ceil(set.length / 2);
    await attempt(set.slice(0, half));
    await attempt(set.slice(half));
  };
  if (keys.length > 0) await attempt(keys);
  return mergeFacts(parts);
}

/** The facts of a tag whose load fails on data: its own row if that reads, else a stand-in. */
async function unreadableTag(
  store: BatchReads,
  selection: BatchTagSelection,
  key: BatchTagKey,
  message: string,
  force: boolean,
): Promise<BatchFacts> {
  const facts = emptyFacts();
  const detail = `a value of the tag's rows cannot be read: ${message}`;
  let tag: LegacyTag | undefined;
  try {
    [tag] = await store.loadBatchTags({ ...selection, tagIds: [key.id], includeMapped: force });
  } catch (err) {
    if (!store.isDataError(err)) throw err;
  }
  if (tag === undefined || tag.tagManifest !== null) {
    // No tag row can be written for a name that cannot be read; a stored manifest that cannot be
    // read cannot be mapped as it is either.
    facts.tags.push(tag ?? standIn(key));
    facts.unreadable.set(key.id, detail);
    return facts;
  }
  facts.tags.push(tag);
  facts.resolutions.set(tag.id, { ok: false, reason: "unreadable_row", detail, found: [] });
  return facts;
}

/** A tag known only by id and flags: enough for the planner to skip or fail it. */
function standIn(key: BatchTagKey): LegacyTag {
  return {
    id: key.id,
    name: "",
    repositoryId: 0,
    namespace: "",
    repository: "",
    imageId: 0,
    lifetimeStartTs: 0,
    signingStartTs: 0,
    lifetimeEndTs: null,
    hidden: key.hidden,
    reversion: false,
    mapped: key.mapped,
    tagManifest: null,
    manifestLink: null,
  };
}

/** Facts of disjoint tag sets, in id order (the parts are). Repository indexes are merged per repository. */
function mergeFacts(parts: readonly BatchFacts[]): BatchFacts {
  const out = emptyFacts();
  for (const part of parts) {
    // Keyed by text: any part's cache serves every part.
    out.layerCache ??= part.layerCache;
    out.tags.push(...part.tags);
    for (const [id, value] of part.resolutions) out.resolutions.set(id, value);
    for (const [id, value] of part.stored) out.stored.set(id, value);
    for (const [id, value] of part.labels) out.labels.set(id, value);
    for (const [id, value] of part.errors) out.errors.set(id, value);
    for (const [id, value] of part.unreadable) out.unreadable.set(id, value);
    for (const [repositoryId, byId] of part.repositoryImages) {
      const merged = new Map(out.repositoryImages.get(repositoryId));
      for (const [dockerImageId, checksum] of byId) merged.set(dockerImageId, checksum);
      out.repositoryImages.set(repositoryId, merged);
    }
    for (const [repositoryId, byChecksum] of part.repositoryBlobs) {
      const merged = new Map(out.repositoryBlobs.get(repositoryId));
      for (const [checksum, storageId] of byChecksum) merged.set(checksum, storageId);
      out.repositoryBlobs.set(repositoryId, merged);
    }
  }
  out.tags.sort((a, b) => a.id - b.id);
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
