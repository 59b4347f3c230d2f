import type { ClaimedBatch } from "../src/db/batch-claim.js";
import { trimClaimedBatch } from "../src/db/batch-trim.js";
import type { RunRow } from "../src/db/tables.js";
import { errorMessage } from "../src/error-message.js";
import { logEvent } from "../src/log-events/log-event.js";
import type { Logger } from "../src/log.js";
import { tuneScopeOf } from "../src/run/tune-run.js";
import type { BackfillBatchContext } from "./backfill-batch.js";

/**
 * The claimed batch as this process can hold it. A run's largest adaptive size is what the heap of the
 * process that started it holds (adaptive-bounds.ts); a worker with a smaller heap (or more batches at
 * once) that claims a batch larger than its own heap-safe size (`ctx.maxBatchTags`) keeps the first part
 * and gives the rest back as a new pending batch, enqueued at once (else by the ledger resync), instead of
 * running out of memory mid-batch. "lost": the lease went meanwhile.
 */
export async function fitClaimToHeap(
  run: RunRow,
  claimed: ClaimedBatch,
  ctx: Pick<BackfillBatchContext, "db" | "maxBatchTags" | "enqueue">,
  log: Logger,
): Promise<ClaimedBatch | "lost"> {
  if (ctx.maxBatchTags === undefined) return claimed;
  const trimmed = await trimClaimedBatch(ctx.db, claimed, { maxTags: ctx.maxBatchTags, ...tuneScopeOf(run) });
  if (trimmed.kind === "fits") return claimed;
  if (trimmed.kind === "lost") return "lost";
  const { batch, givenBack } = trimmed;
  let enqueued = false;
  let err: string | undefined;
  if (ctx.enqueue) {
    try {
      await ctx.enqueue(claimed.runId, [givenBack.id]);
      enqueued = true;
    } catch (e) {
      err = errorMessage(e);
    }
  }
  logEvent(
    log,
    "warn",
    "batch.trimmed",
    {
      lo: batch.lo,
      hi: batch.hi,
      maxTags: ctx.maxBatchTags,
      givenBack: givenBack.id,
      givenBackLo: givenBack.lo,
      givenBackHi: givenBack.hi,
      enqueued,
      ...(err !== undefined ? { err } : {}),
    },
    "batch larger than this worker's heap holds; the excess given back as a new batch",
  );
  return batch;
}
