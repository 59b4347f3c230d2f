import type { TagResult } from "../backfill/batch-result.js";
import { isPreempted } from "../backfill/preempted.js";
import type { ProcessBatch } from "../backfill/process-batch.js";

/**
 * Plans every selected tag in batches, in this process, read-only: no run row, no lock, no Redis. Each
 * tag's result goes to `onResult` as it is planned; all of them are returned.
 */
export async function dryRunReprocess<Tx>(
  processBatch: ProcessBatch<Tx>,
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
    for (const result of out.results) {
      all.push(result);
      onResult(result);
    }
  }
  return all;
}
