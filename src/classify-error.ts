import type { PermanentError } from "./errors.js";

export type ErrorClass = "unavailable" | "permanent" | "retry";

// Foreign errors (node, pg) say "unavailable" only by their codes.
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

/**
 * Sorts an error for the retry policy by walking its `cause` chain: the database being unreachable
 * (wait for it, spend no attempt), an error no retry can fix (a PermanentError), or anything else (retry
 * with backoff).
 */
export function classifyError(err: unknown): ErrorClass {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (typeof current === "object") {
      const e = current as Partial<Pick<PermanentError, "permanent">> & {
        code?: unknown;
        message?: unknown;
        cause?: unknown;
      };
      // The type's property, not instanceof: an error from another copy of this module still counts.
      if (e.permanent === true) return "permanent";
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
