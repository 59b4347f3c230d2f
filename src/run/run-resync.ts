import type { Kysely } from "kysely";
import { listUnfinishedBatches } from "../db/batch-list-unfinished.js";
import type { Database } from "../db/tables.js";
import type { Logger } from "../log.js";
import type { BackfillQueues } from "../queue/backfill-queues.js";
import type { RetryPolicy } from "../queue/retry-policy.js";
import { BatchSizeAdapter } from "./batch-size-adapter.js";

/**
 * The periodic resync of the run `backfill run` follows: its batches not done go on the queue again
 * (a no-op for jobs Redis still holds), then its batch size is adapted (batch-size-adapter.ts).
 */
export function runResync(
  setup: { db: Kysely<Database>; logger: Logger; retry: RetryPolicy },
  runId: string,
  queues: Pick<BackfillQueues, "enqueueBatches">,
): () => Promise<void> {
  const enqueue = (id: string, ids: readonly string[]) => queues.enqueueBatches(id, ids, setup.retry);
  const adapter = new BatchSizeAdapter({ db: setup.db, logger: setup.logger, enqueue });
  return async () => {
    await enqueue(runId, await listUnfinishedBatches(setup.db, runId));
    await adapter.tick(runId);
  };
}
