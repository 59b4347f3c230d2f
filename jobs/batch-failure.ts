import type { ClaimedBatch } from "../src/db/batch-claim.js";
import { failBatch } from "../src/db/batch-fail.js";
import { releaseBatch } from "../src/db/batch-release.js";
import { classifyError } from "../src/classify-error.js";
import { errorMessage } from "../src/error-message.js";
import { logEvent } from "../src/log-events/log-event.js";
import type { Logger } from "../src/log.js";
import { finishRunIfDone } from "../src/run/finish-run.js";
import type { BackfillBatchContext } from "./backfill-batch.js";

/**
 * A delivery failed with an error that is not contention: the database gone (the lease expires), the last
 * attempt or a permanent error (the batch fails for good), else the batch is given back for the retry.
 * Never throws: what cannot be recorded is logged and left to the lease's expiry.
 */
export async function afterFailure(
  err: unknown,
  claimed: ClaimedBatch,
  ctx: BackfillBatchContext,
  log: Logger,
): Promise<void> {
  const kind = classifyError(err);
  const message = errorMessage(err);
  try {
    if (kind === "unavailable") {
      // The database is gone: nothing can be recorded; the lease expires and a later delivery retakes it.
      await releaseBatch(ctx.db, claimed.id, claimed.leaseToken, message).catch(() => false);
      return;
    }
    const final = kind === "permanent" || ctx.attempt >= ctx.maxAttempts;
    if (final) {
      await failBatch(ctx.db, claimed.id, claimed.leaseToken, message);
      logEvent(
        log,
        "error",
        "batch.failed",
        { lo: claimed.lo, hi: claimed.hi, err: message, permanent: kind === "permanent" },
        "batch failed for good",
      );
      await finishRunIfDone(ctx.db, claimed.runId, ctx.actor, ctx.logger);
    } else {
      await releaseBatch(ctx.db, claimed.id, claimed.leaseToken, message);
      logEvent(
        log,
        "warn",
        "batch.retrying",
        { lo: claimed.lo, hi: claimed.hi, err: message, maxAttempts: ctx.maxAttempts },
        "batch will be retried",
      );
    }
  } catch (inner) {
    logEvent(
      log,
      "warn",
      "batch.retrying",
      { err: errorMessage(inner) },
      "could not record the failure; the lease will expire",
    );
  }
}
