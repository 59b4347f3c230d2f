import { asInt, asNumber, type VariableSpec } from "./config-variable.js";

export type WalConfigKey = "maxWalMbPerS" | "maxRequestedCheckpoints";

/**
 * The throttle's WAL and checkpoint signals (README, "Throttling"): off unless set, like BACKFILL_MAX_VACUUMS.
 * Both are read as the difference between two readings of the throttle checker.
 */
export function walVariables(): Record<string, VariableSpec<WalConfigKey>> {
  return {
    BACKFILL_MAX_WAL_MB_PER_SECOND: {
      key: "maxWalMbPerS",
      schema: { type: "number", exclusiveMinimum: 0 },
      expected: "a number of MB per second > 0 (WAL written between two readings; unset: not checked)",
      parse: asNumber,
      fallback: undefined,
    },
    BACKFILL_MAX_REQUESTED_CHECKPOINTS: {
      key: "maxRequestedCheckpoints",
      schema: { type: "integer", minimum: 0 },
      expected: "an integer >= 0 (checkpoints requested between two readings; unset: not checked)",
      parse: asInt,
      fallback: undefined,
    },
  };
}
