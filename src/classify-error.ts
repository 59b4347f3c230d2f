import type { PermanentError } from "./errors.js";

export type ErrorClass = "unavailable" | "contended" | "permanent" | "retry";

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
// SQLSTATE 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout): the session
// guards gave up a fight with the live application; the same batch passes once the other side is done.
const PG_CONTENDED = new Set(["55P03", "57014"]);

/** The first of `codes` found as an error's `code` along its `cause` chain (pg's SQLSTATE is `code`). */
export function sqlStateIn(err: unknown, codes: ReadonlySet<string>): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const e = current as { code?: unknown; cause?: unknown };
    if (typeof e.code === "string" && codes.has(e.code)) return e.code;
    current = e.cause;
  }
  return undefined;
}

/** The SQLSTATE that makes an error "contended" (55P03 or 57014), found along its `cause` chain. */
export function contentionCode(err: unknown): string | undefined {
  return sqlStateIn(err, PG_CONTENDED);
}

/**
 * Sorts an error for the retry policy by walking its `cause` chain: the database being unreachable
 * (wait for it, spend no attempt), a lock or statement timeout of the session guards (contended: come
 * back later, spend no attempt), an error no retry can fix (a PermanentError), or anything else (retry
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
      if (typeof e.code === "string" && PG_CONTENDED.has(e.code)) return "contended";
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
