import { loadConfig } from "../config.js";
import { NotFoundError, UnreachableError, UsageError } from "../errors.js";
import { classifyEnvironmentFailure } from "./environment-failure.js";

/** Exit codes of every command: 0 done, 1 the work failed, 2 the command line or config was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Wraps a command action: a UsageError prints its message and exits 2; a NotFoundError prints its
 * message and exits 1; an environment failure (PostgreSQL or Redis unreachable, schema missing) prints
 * what to fix and exits 1, or 2 when the fix is a configuration value (login or password refused, TLS
 * mismatch); anything else prints the error's stack and exits 1. Only the CLI layer ends the process.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`backfill: ${err.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      if (err instanceof NotFoundError || err instanceof UnreachableError) {
        process.stderr.write(`backfill: ${err.message}\n`);
        process.exitCode = EXIT.failed;
        return;
      }
      // Server down, login refused, schema missing: what to fix, not a stack.
      const environment = classifyEnvironmentFailure(err, databaseUrlForMessages());
      const text = environment?.text ?? (err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.stderr.write(`backfill: ${text}\n`);
      process.exitCode = environment?.configuration === true ? EXIT.usage : EXIT.failed;
    }
  };
}

/** DATABASE_URL as the commands read it (its default when unset); only for naming it in a message. */
function databaseUrlForMessages(): string {
  try {
    return loadConfig(process.env).databaseUrl;
  } catch {
    return process.env.DATABASE_URL ?? "";
  }
}

/** Parses a positive integer flag or throws a UsageError that names the flag. */
export function intOption(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} expects an integer, got '${raw}'`);
    const value = Number(raw);
    if (value < min || value > max)
      throw new UsageError(`${flag} must be from ${min} to ${max}, got ${value}`);
    return value;
  };
}
