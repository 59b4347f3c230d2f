import { asInt, asSecondsFloatInMs, type VariableSpec } from "./config-variable.js";

export type AdaptiveConfigKey = "targetBatchMs" | "minBatchSize" | "maxBatchSize";

/**
 * The adaptive batch size's variables (README, "Throttling"): the duration a batch should take (0 or
 * "off": the size stays as started or tuned) and the bounds of the size it may pick.
 */
export function adaptiveVariables(): Record<string, VariableSpec<AdaptiveConfigKey>> {
  const size = (key: AdaptiveConfigKey, fallback: number): VariableSpec<AdaptiveConfigKey> => ({
    key,
    schema: { type: "integer", minimum: 1, maximum: 10000 },
    expected: "an integer from 1 to 10000",
    parse: asInt,
    fallback,
  });
  return {
    BACKFILL_TARGET_BATCH_SECONDS: {
      key: "targetBatchMs",
      schema: { type: "number", minimum: 0, maximum: 3_600_000 },
      expected:
        'a number of seconds from 0 to 3600 (how long a batch should take; 0 or "off": no adaptation)',
      parse: (raw) => (raw.trim().toLowerCase() === "off" ? 0 : asSecondsFloatInMs(raw)),
      // On by default: a run's maximum is kept within what its heap holds (src/run/adaptive-bounds.ts).
      fallback: 2000,
    },
    BACKFILL_MIN_BATCH_SIZE: size("minBatchSize", 50),
    BACKFILL_MAX_BATCH_SIZE: size("maxBatchSize", 5000),
  };
}

/** The bounds must leave a size to pick; names the variable to fix. */
export function adaptiveBoundsProblem(config: {
  minBatchSize: number;
  maxBatchSize: number;
}): { variable: string; problem: string } | undefined {
  if (config.minBatchSize <= config.maxBatchSize) return undefined;
  return {
    variable: "BACKFILL_MIN_BATCH_SIZE",
    problem: `${config.minBatchSize} is above BACKFILL_MAX_BATCH_SIZE (${config.maxBatchSize})`,
  };
}
