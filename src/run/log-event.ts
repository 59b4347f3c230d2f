import type { Logger } from "../log.js";

/** The documented event vocabulary (docs/log-events.md, docs/log-events.schema.json). */
export type LogEventName =
  | "run.started"
  | "run.resumed"
  | "run.paused"
  | "run.cancelled"
  | "run.progress"
  | "run.completed"
  | "run.interrupted"
  | "run.waiting"
  | "batch.completed"
  | "batch.retrying"
  | "batch.failed"
  | "batch.preempted"
  | "batch.skipped"
  | "batch.lease_lost"
  | "tag.broken"
  | "tag.failed"
  | "tag.repaired"
  | "tag.repair_refused"
  | "worker.started"
  | "worker.stopping"
  | "worker.stopped"
  | "worker.error"
  | "db.unavailable"
  | "db.recovered"
  | "redis.unavailable"
  | "schedule.tick"
  | "schedule.updated"
  | "schedule.removed"
  | "queue.enqueued";

type Level = "info" | "warn" | "error" | "debug";

/**
 * One log line with its `event`; a logging failure (a closed stream, a throwing serializer) is swallowed
 * so it never crashes the loop that logs (graphile/worker's safeEmit).
 */
export function logEvent(
  logger: Logger,
  level: Level,
  event: LogEventName,
  fields: Record<string, unknown>,
  msg: string,
): void {
  try {
    logger[level]({ event, ...fields }, msg);
  } catch {
    // nothing sensible to do: the log itself is what failed
  }
}
