import type { Logger } from "../log.js";
import { logEvent } from "../log-events/log-event.js";

const QUIET_MS = 10_000;

/**
 * The `error` listener of every Queue and Worker: without one, an ioredis reconnect error would be an
 * unhandled 'error' event and end the process. Connection errors become `redis.unavailable` at most once
 * per ten seconds (the client retries on its own); anything else is `worker.error`.
 */
export function redisErrorReporter(logger: Logger, source: string): (err: Error) => void {
  let lastReport = 0;
  return (err: Error) => {
    const code = (err as { code?: unknown }).code;
    const connection =
      typeof code === "string"
        ? /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(code)
        : /Connection is closed|connect|ECONNREFUSED|Stream isn't writeable/i.test(err.message);
    if (connection) {
      const now = Date.now();
      if (now - lastReport < QUIET_MS) return;
      lastReport = now;
      logEvent(
        logger,
        "warn",
        "redis.unavailable",
        { source, err: err.message },
        "Redis unavailable; retrying",
      );
      return;
    }
    logEvent(logger, "error", "worker.error", { source, err: err.message }, "queue error");
  };
}
