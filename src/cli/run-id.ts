import { UsageError } from "../errors.js";

/** backfill.run.id is a bigint: a larger number is no run id, and PostgreSQL would refuse it with a stack. */
const MAX_RUN_ID = 9_223_372_036_854_775_807n;

/** Parses a run id given as `what` (`--run`, `RUN`) or throws a UsageError saying what is expected. */
export function parseRunId(what: string): (raw: string) => string {
  return (raw: string) => {
    if (!/^\d+$/.test(raw) || BigInt(raw) < 1n || BigInt(raw) > MAX_RUN_ID)
      throw new UsageError(
        `${what} expects a run id (an integer from 1, as \`backfill status\` lists), got '${raw}'`,
      );
    return raw;
  };
}
