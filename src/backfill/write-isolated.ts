import { classifyError } from "../classify-error.js";
import type { BatchWrites } from "./batch-store.js";
import type { DroppedTag } from "./prepare-write.js";
import {
  WriteConflict,
  WriteRace,
  writePass,
  type RowCounts,
  type WritablePlan,
  type WriteIds,
} from "./write-pass.js";

export interface IsolatedWrite {
  rows: RowCounts;
  manifests: Map<number, { id: number; digest: string }>;
  dropped: Map<number, DroppedTag>;
  /** Tags whose rows could not be written, with the error. */
  failed: Map<number, string>;
}

const MAX_RACES = 3;

/**
 * Runs the write pass inside a savepoint. Tags that lost a conflict are dropped and the rest written
 * again; an unexpected error splits the set in halves, each in its own savepoint, until the tag that
 * causes it is alone and recorded as failed, so everything else still commits (a lock or statement
 * timeout is rethrown: the whole batch is retried later). Logging is the caller's:
 * the failed tags are in the batch result (`tag.failed`).
 */
export async function writeIsolated(
  store: BatchWrites,
  items: readonly WritablePlan[],
  ids: WriteIds,
): Promise<IsolatedWrite> {
  const out: IsolatedWrite = { rows: {}, manifests: new Map(), dropped: new Map(), failed: new Map() };
  let savepoints = 0;

  const attempt = async (set: readonly WritablePlan[]): Promise<void> => {
    let remaining = set;
    let races = 0;
    while (remaining.length > 0) {
      const name = `backfill_${++savepoints}`;
      await store.savepoint(name);
      try {
        const result = await writePass(store, remaining, ids);
        await store.releaseSavepoint(name);
        for (const [table, n] of Object.entries(result.rows)) out.rows[table] = (out.rows[table] ?? 0) + n;
        for (const [tagId, manifest] of result.manifests) out.manifests.set(tagId, manifest);
        return;
      } catch (err) {
        // A lock or statement timeout belongs to the whole batch, not to a tag: splitting would only
        // wait again per half. The transaction rolls back and the batch comes back later.
        if (classifyError(err) === "contended") throw err;
        await store.rollbackToSavepoint(name);
        await store.releaseSavepoint(name);
        if (err instanceof WriteConflict) {
          for (const [tagId, dropped] of err.tags) out.dropped.set(tagId, dropped);
          remaining = remaining.filter((item) => !err.tags.has(item.plan.tag.id));
          continue;
        }
        if (err instanceof WriteRace && ++races <= MAX_RACES) continue;
        const only = remaining[0];
        if (remaining.length === 1 && only !== undefined) {
          out.failed.set(only.plan.tag.id, err instanceof Error ? err.message : String(err));
          return;
        }
        const half = Math.ceil(remaining.length / 2);
        await attempt(remaining.slice(0, half));
        await attempt(remaining.slice(half));
        return;
      }
    }
  };

  await attempt(items);
  return out;
}
