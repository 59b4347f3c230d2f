import type { BatchResult, TagResult } from "../backfill/process-batch.js";
import { isPreempted, type ProcessBatch } from "./batch-processor.js";

/**
 * Plans every selected tag in batches, in this process, read-only: no run row, no lock, no Redis. Each
 * tag's result goes to `onResult` as it is planned; all of them are returned.
 */
export async function dryRunReprocess(
  processBatch: ProcessBatch,
  ids: readonly number[],
  batchSize: number,
  force: boolean,
  onResult: (result: TagResult) => void,
): Promise<TagResult[]> {
  const all: TagResult[] = [];
  for (let start = 0; start < ids.length; start += batchSize) {
    const chunk = ids.slice(start, start + batchSize);
    const out = await processBatch(
      {
        runId: "0",
        batchId: "0",
        lo: chunk[0] as number,
        hi: chunk.at(-1) as number,
        tagIds: chunk,
        dryRun: true,
        filters: {},
        force,
      },
      () => Promise.resolve(false),
    );
    if (isPreempted(out)) throw new Error("a dry run cannot be preempted");
    // The core is ours (src/backfill): its results carry the reprocess fields the narrow interface omits.
    const results = (out as BatchResult).results;
    for (const result of results) {
      all.push(result);
      onResult(result);
    }
  }
  return all;
}
