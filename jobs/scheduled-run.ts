import type { Kysely } from "kysely";
import { findActiveRun } from "../src/db/run-find-active.js";
import { hasCandidateTags } from "../src/db/run-has-candidates.js";
import type { Database } from "../src/db/tables.js";
import type { Logger } from "../src/log.js";
import type { JOB, JobPayloads } from "../src/queue/queue-names.js";
import { logEvent } from "../src/log-events/log-event.js";
import { runHeader } from "../src/run/run-header.js";
import { runTarget } from "../src/run/run-target.js";
import { startOrResumeRun } from "../src/run/start-run.js";

/** A scheduler tick carries only its runs' time window (`schedule --window`); the rest is read when it fires. */
export const scheduledRunPayloadSchema = {
  type: "object",
  properties: { window: { type: "string" }, timeZone: { type: "string" } },
} as const;

export type ScheduledRunPayload = JobPayloads[typeof JOB.scheduledRun];

export interface ScheduledRunContext {
  db: Kysely<Database>;
  logger: Logger;
  batchSize: number;
  startedBy: object;
  config: object;
  actor: string;
  enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
  /** Whether the scheduler is still installed; a tick queued before `schedule --remove` must not start a run. */
  isScheduled?: () => Promise<boolean>;
}

export type ScheduledRunResult =
  | { kind: "unscheduled" }
  | { kind: "skipped"; activeRunId: string }
  | { kind: "nothing-to-do" }
  | { kind: "started"; runId: string; batches: number };

/**
 * One tick: a run (kind `scheduled`) over every tag not mapped yet, unless a run of the same target is
 * active (a long pass, or the previous tick's run, is left to finish; a paused run stays paused) or no tag
 * waits (a fully mapped registry gets no empty run row every tick, only a `schedule.tick` line), or the
 * schedule was removed after the tick was queued. Its batches go to the batch queue.
 */
export async function handleScheduledRun(
  payload: ScheduledRunPayload,
  ctx: ScheduledRunContext,
): Promise<ScheduledRunResult> {
  if (ctx.isScheduled && !(await ctx.isScheduled())) {
    logEvent(
      ctx.logger,
      "info",
      "schedule.tick",
      { started: false, reason: "schedule removed" },
      "the schedule was removed; tick ignored",
    );
    return { kind: "unscheduled" };
  }
  const active = await findActiveRun(ctx.db, runTarget({}, false));
  if (active) {
    logEvent(
      ctx.logger,
      "info",
      "schedule.tick",
      { activeRunId: String(active.id), started: false, reason: `run ${active.status}` },
      "a run is active; tick skipped",
    );
    return { kind: "skipped", activeRunId: String(active.id) };
  }
  if (!(await hasCandidateTags(ctx.db, {}))) {
    logEvent(
      ctx.logger,
      "info",
      "schedule.tick",
      { started: false, reason: "nothing to do" },
      "no unmapped tag",
    );
    return { kind: "nothing-to-do" };
  }
  const started = await startOrResumeRun(ctx.db, {
    kind: "scheduled",
    filters: {},
    options: {},
    dryRun: false,
    batchSize: ctx.batchSize,
    startedBy: ctx.startedBy,
    config: ctx.config,
    actor: ctx.actor,
    window:
      payload.window === undefined ? undefined : { window: payload.window, zone: payload.timeZone ?? "UTC" },
  });
  const runId = String(started.run.id);
  if (!started.resumed) {
    logEvent(
      ctx.logger,
      "info",
      "run.started",
      runHeader(started.run, started.batchIds.length),
      "run started",
    );
  }
  await ctx.enqueue(runId, started.batchIds);
  logEvent(
    ctx.logger,
    "info",
    "schedule.tick",
    { runId, started: !started.resumed, batches: started.batchIds.length },
    "scheduled run enqueued",
  );
  return { kind: "started", runId, batches: started.batchIds.length };
}
