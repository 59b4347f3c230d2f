import type { Kysely } from "kysely";
import { endRunThrottle, startRunThrottle } from "../src/db/run-throttle-state.js";
import type { Database, RunRow } from "../src/db/tables.js";
import type { Logger } from "../src/log.js";
import { logEvent } from "../src/log-events/log-event.js";
import { controlRun } from "../src/run/control-run.js";
import type { ThrottleGate } from "../src/run/throttle-checker.js";
import { runThrottleOverrides } from "../src/run/run-throttle-overrides.js";

/** A delivery held back before its claim: delayed like a held lease, no attempt spent, nothing written. */
export interface Throttled {
  kind: "throttled";
  reason: string;
  retryAfterMs: number;
}

export interface ThrottleGateContext {
  db: Kysely<Database>;
  logger: Logger;
  throttle: ThrottleGate;
  actor: string;
}

/**
 * Asks the process's throttle checker before a batch of `run` is claimed. Clear: the run's throttled
 * stretch (if any) ends and the claim goes ahead (undefined). Throttle: the reason is stored on the run
 * and the delivery comes back later. Critical: the run is paused through the operator's pause path, with
 * the reason in its audit trail; an operator resumes it. The run's own time window and replica-lag line
 * (`run --window`, `backfill tune`) are read from its row, fresh at every delivery.
 */
export async function throttleGate(
  run: RunRow,
  ctx: ThrottleGateContext,
): Promise<Throttled | "paused" | undefined> {
  const runId = String(run.id);
  const verdict = await ctx.throttle.verdict(runId, runThrottleOverrides(run));
  const log = ctx.logger.child({ runId });
  if (verdict.tier === "clear") {
    if (run.throttled_since === null) return undefined;
    const ended = await endRunThrottle(ctx.db, runId);
    if (ended) logEvent(log, "info", "throttle.ended", ended, "throttle ended");
    return undefined;
  }
  if (verdict.tier === "critical") {
    await controlRun(
      { runId, action: "pause", actor: ctx.actor, reason: verdict.reason },
      // A pause neither enqueues nor drops jobs.
      { db: ctx.db, logger: ctx.logger, enqueue: () => Promise.resolve(0) },
    );
    return "paused";
  }
  if (await startRunThrottle(ctx.db, runId, verdict.reason)) {
    logEvent(log, "warn", "throttle.started", { reason: verdict.reason }, "throttled");
  }
  return { kind: "throttled", reason: verdict.reason, retryAfterMs: ctx.throttle.retryAfterMs };
}

/** How long a delivery refused by the run's cap of batches in flight waits before it asks again. */
export const AT_CAP_RETRY_MS = 500;

/** A delivery refused by the run's cap of batches in flight: held back like a throttled one, no attempt spent. */
export function atCap(cap: number, ctx: { throttle?: ThrottleGate }): Throttled {
  return {
    kind: "throttled",
    reason: `concurrency cap ${cap} reached`,
    retryAfterMs: Math.min(AT_CAP_RETRY_MS, ctx.throttle?.retryAfterMs ?? AT_CAP_RETRY_MS),
  };
}
