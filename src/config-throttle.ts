import {
  asInt,
  asNumber,
  asSecondsFloatInMs,
  asString,
  unparseableUrl,
  type VariableSpec,
} from "./config-variable.js";

export type ThrottleConfigKey =
  | "maxReplicaLagS"
  | "criticalReplicaLagS"
  | "maxTransactionAgeS"
  | "maxLockWaiters"
  | "maxConnectionUse"
  | "maxVacuums"
  | "throttleQuery"
  | "throttleUrl"
  | "throttleUrlTimeoutMs"
  | "throttleCheckMs"
  | "niceRatio";

const SECONDS = { type: "number", exclusiveMinimum: 0 };

/** gh-ost's nice ratio (jobs/nice-rest.ts): pacing by the batches' own duration, no signal needed. */
const NICE_RATIO: VariableSpec<ThrottleConfigKey> = {
  key: "niceRatio",
  schema: { type: "number", minimum: 0, maximum: 100 },
  expected:
    "a number from 0 to 100 (after each batch, rest this many times its duration before the next claim; 0: no rest)",
  parse: asNumber,
  fallback: 0,
};

/** The throttle's variables (README, "Throttling"): every threshold is "throttle above". */
export function throttleVariables(): Record<string, VariableSpec<ThrottleConfigKey>> {
  const seconds = (
    key: ThrottleConfigKey,
    fallback: number,
    what: string,
  ): VariableSpec<ThrottleConfigKey> => ({
    key,
    schema: SECONDS,
    expected: `a number of seconds > 0 (${what})`,
    parse: asNumber,
    fallback,
  });
  return {
    BACKFILL_MAX_REPLICA_LAG_SECONDS: seconds("maxReplicaLagS", 5, "replica replay lag that throttles"),
    BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: seconds(
      "criticalReplicaLagS",
      120,
      "replay lag that pauses the run",
    ),
    BACKFILL_MAX_TRANSACTION_AGE_SECONDS: seconds(
      "maxTransactionAgeS",
      300,
      "oldest open transaction that throttles",
    ),
    BACKFILL_MAX_LOCK_WAITERS: {
      key: "maxLockWaiters",
      schema: { type: "integer", minimum: 0 },
      expected: "an integer >= 0 (sessions waiting on the backfill's locks before it throttles)",
      parse: asInt,
      fallback: 0,
    },
    BACKFILL_MAX_CONNECTION_USE: {
      key: "maxConnectionUse",
      schema: { type: "number", exclusiveMinimum: 0, maximum: 1 },
      expected: "a fraction of max_connections above 0 and at most 1, e.g. 0.9",
      parse: asNumber,
      fallback: 0.9,
    },
    BACKFILL_MAX_VACUUMS: {
      key: "maxVacuums",
      schema: { type: "integer", minimum: 0 },
      expected: "an integer >= 0 (vacuums on the written tables before it throttles; unset: not checked)",
      parse: asInt,
      fallback: undefined,
    },
    BACKFILL_THROTTLE_QUERY: {
      key: "throttleQuery",
      schema: { type: "string", pattern: "\\S" },
      expected: "an SQL query; a row with a truthy first column throttles",
      parse: asString,
      fallback: undefined,
    },
    BACKFILL_THROTTLE_URL: {
      key: "throttleUrl",
      schema: { type: "string", pattern: "^https?://" },
      expected: "an http:// or https:// URL; anything but 200 throttles",
      parse: asString,
      fallback: undefined,
      check: unparseableUrl,
    },
    BACKFILL_THROTTLE_URL_TIMEOUT_SECONDS: {
      key: "throttleUrlTimeoutMs",
      schema: { type: "number", exclusiveMinimum: 0, maximum: 60_000 },
      expected: "a number of seconds > 0 and at most 60",
      parse: asSecondsFloatInMs,
      fallback: 2000,
    },
    BACKFILL_NICE_RATIO: NICE_RATIO,
    BACKFILL_THROTTLE_CHECK_SECONDS: {
      key: "throttleCheckMs",
      schema: { type: "number", exclusiveMinimum: 0, maximum: 300_000 },
      expected: "a number of seconds > 0 and at most 300 (how often the signals are read)",
      parse: asSecondsFloatInMs,
      fallback: 5000,
    },
  };
}

/**
 * A critical line below its throttle line makes no sense: the run would be paused (an operator needed)
 * before it ever throttles. Names the variable to fix.
 */
export function throttleBoundsProblem(config: {
  maxReplicaLagS: number;
  criticalReplicaLagS: number;
}): { variable: string; problem: string } | undefined {
  if (config.criticalReplicaLagS >= config.maxReplicaLagS) return undefined;
  return {
    variable: "BACKFILL_CRITICAL_REPLICA_LAG_SECONDS",
    problem:
      `${config.criticalReplicaLagS} is below BACKFILL_MAX_REPLICA_LAG_SECONDS (${config.maxReplicaLagS}): ` +
      `the run would be paused before it throttles; raise it or lower the other`,
  };
}

/**
 * `--max-lag` (the run's throttle line) above this process's critical line: the run would be paused before
 * it ever throttles on lag. Names both values.
 */
export function maxLagFlagProblem(maxLagS: number, criticalReplicaLagS: number): string | undefined {
  if (maxLagS <= criticalReplicaLagS) return undefined;
  return (
    `--max-lag ${maxLagS} is above BACKFILL_CRITICAL_REPLICA_LAG_SECONDS (${criticalReplicaLagS}): ` +
    `the run would be paused before it throttles; lower --max-lag or raise the variable`
  );
}
