/**
 * An error that cannot pass on a retry (a missing run or batch row, an invalid payload, an unusable
 * signing key): the queue adapter turns it into BullMQ's UnrecoverableError, so no attempt is wasted.
 */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
}

export type ErrorClass = "unavailable" | "permanent" | "retry";

const NODE_CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
// SQLSTATE: class 08 connection exception; 57P01-03 shutdown/cannot connect now; 53300 too many connections.
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;
const PERMANENT_NAMES = new Set(["PermanentJobError", "SigningKeyError", "ConfigError", "UsageError"]);

/**
 * Sorts an error for the retry policy by walking its `cause` chain: the database being unreachable
 * (wait for it, spend no attempt), an error no retry can fix, or anything else (retry with backoff).
 */
export function classifyError(err: unknown): ErrorClass {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (typeof current === "object") {
      const e = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
      if (typeof e.name === "string" && PERMANENT_NAMES.has(e.name)) return "permanent";
      if (typeof e.code === "string" && (NODE_CONNECTION_CODES.has(e.code) || PG_UNAVAILABLE.test(e.code))) {
        return "unavailable";
      }
      if (
        typeof e.message === "string" &&
        /Connection terminated|connection timeout|Client has encountered a connection error/i.test(e.message)
      ) {
        return "unavailable";
      }
      if (e instanceof AggregateError && e.errors.some((inner) => classifyError(inner) === "unavailable")) {
        return "unavailable";
      }
      current = e.cause;
    } else {
      break;
    }
  }
  return "retry";
}

/** The message of an error for a ledger row or a log field, without its stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 2000);
  return String(err).slice(0, 2000);
}
