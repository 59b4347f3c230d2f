import type { Kysely } from "kysely";
import type { ClaimedBatch } from "../src/db/batch-claim.js";
import { releaseContendedBatch } from "../src/db/batch-release-contended.js";
import type { Database } from "../src/db/tables.js";
import { contentionCode } from "../src/classify-error.js";
import { errorMessage } from "../src/error-message.js";
import { logEvent } from "../src/log-events/log-event.js";
import type { Logger } from "../src/log.js";
import { contendedDelayMs } from "../src/queue/retry-policy.js";

/**
 * A batch that lost a lock fight (lock_timeout) or ran past statement_timeout: its transaction rolled
 * back, so nothing was written. It is given back without spending an attempt and comes back later, the
 * delay growing with the contended deliveries in a row (counted in the ledger, so any worker that takes
 * it next continues the count); after a few in a row it is cut in two (src/db/batch-release-contended.ts).
 * Once given back, `shrink` halves the run's batch size at once (BatchSizeAdapter.contended).
 */
export async function settleContended(
  db: Kysely<Database>,
  claimed: ClaimedBatch,
  err: unknown,
  log: Logger,
  shrink?: (runId: string, batchId: string) => Promise<void>,
): Promise<{ kind: "contended"; retryAfterMs: number }> {
  const message = errorMessage(err);
  // Lease lost or the release failed: the count is unknown, and the lease's expiry frees the batch.
  const released = await releaseContendedBatch(db, claimed.id, claimed.leaseToken, message).catch(
    () => undefined,
  );
  // After a split each half starts afresh, at the first delay.
  const contended = released?.contended ?? 1;
  const retryAfterMs = contendedDelayMs(contended);
  logEvent(
    log,
    "warn",
    "batch.contended",
    {
      lo: claimed.lo,
      hi: claimed.hi,
      sqlstate: contentionCode(err) ?? "57014",
      contended,
      retryAfterMs,
      ...(released?.splitInto !== undefined ? { splitInto: released.splitInto } : {}),
      err: message,
    },
    "lock or statement timeout; batch given back, retried later",
  );
  if (released) await shrink?.(claimed.runId, claimed.id);
  return { kind: "contended", retryAfterMs };
}
