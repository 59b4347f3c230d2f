import type { Logger } from "../log.js";
import type { CommonLogFields, LogEventFields, LogEventName } from "./log-events.js";

type Level = "trace" | "debug" | "info" | "warn" | "error";

/**
 * One log line with its `event` and the fields LOG_EVENTS gives it; a logging failure (a closed stream, a
 * throwing serializer) is swallowed so it never crashes the loop that logs (graphile/worker's safeEmit).
 */
export function logEvent<E extends LogEventName>(
  logger: Logger,
  level: Level,
  event: E,
  fields: LogEventFields<E> & CommonLogFields,
  msg?: string,
): void {
  try {
    const line: Record<string, unknown> = { event, ...fields };
    if (msg === undefined) logger[level](line);
    else logger[level](line, msg);
  } catch {
    // nothing sensible to do: the log itself is what failed
  }
}
