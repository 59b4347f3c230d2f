import { Ajv } from "ajv";
import { adaptiveBoundsProblem, adaptiveVariables } from "./config-adaptive.js";
import { throttleBoundsProblem, throttleVariables } from "./config-throttle.js";
import { walVariables } from "./config-wal.js";
import { probeVariables, type ProbeConfig } from "./config-probe.js";
import {
  asInt,
  asSecondsInMs,
  asString,
  unparseableUrl,
  type VariableSpec as BaseSpec,
} from "./config-variable.js";
import {
  schemaCheckVariables,
  unsupportedDatabaseProblem,
  type SchemaCheckMode,
} from "./config-schema-check.js";
import { ConfigError } from "./errors.js";

/** Everything the commands read from the environment, validated once and frozen. */
export interface Config extends ProbeConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** PEM or JWK file with the private key that signs generated schema1 manifests; unsigned without it. */
  readonly signingKeyFile: string | undefined;
  /** The file a `worker` rewrites at each heartbeat its checks pass, for `backfill health`; none when unset. */
  readonly heartbeatFile: string | undefined;
  readonly batchSize: number;
  readonly concurrency: number;
  /** The namespace whose repositories are named without a prefix (Docker Hub's `library`). */
  readonly libraryNamespace: string;
  readonly manifestMaxBytes: number;
  /** Prefix for BullMQ keys, so several deployments (and tests) share one Redis. */
  readonly queuePrefix: string;
  /** How long opening a PostgreSQL or Redis connection may take before the command gives up. */
  readonly connectTimeoutMs: number;
  /** Session guards of the backfill's connections (src/db/connect.ts): a longer statement is cancelled. */
  readonly statementTimeoutMs: number;
  /** How long a backfill statement waits for a lock before giving up (and retrying later). */
  readonly lockTimeoutMs: number;
  /** A backfill session idle inside a transaction this long is ended by the server. */
  readonly idleInTransactionTimeoutMs: number;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Throttle thresholds (src/run/throttle-checker.ts); a signal without one is not read. */
  readonly maxReplicaLagS: number;
  readonly criticalReplicaLagS: number;
  readonly maxTransactionAgeS: number;
  readonly maxLockWaiters: number;
  readonly maxConnectionUse: number;
  readonly maxVacuums: number | undefined;
  /** WAL MB per second and checkpoints requested between two readings (src/config-wal.ts). */
  readonly maxWalMbPerS: number | undefined;
  readonly maxRequestedCheckpoints: number | undefined;
  readonly throttleQuery: string | undefined;
  readonly throttleUrl: string | undefined;
  readonly throttleUrlTimeoutMs: number;
  readonly throttleCheckMs: number;
  /** gh-ost's nice ratio: after each batch a delivery rests this many times its duration (jobs/nice-rest.ts). */
  readonly niceRatio: number;
  /** Adaptive batch size (src/run/adaptive-batch-size.ts): the wanted batch duration, 0 for off. */
  readonly targetBatchMs: number;
  readonly minBatchSize: number;
  readonly maxBatchSize: number;
  /** The start-up check of Quay's schema (src/run/quay-schema-check.ts). */
  readonly schemaCheck: SchemaCheckMode;
}

type VariableSpec = BaseSpec<keyof Config>;

const VARIABLES: Readonly<Record<string, VariableSpec>> = {
  DATABASE_URL: {
    key: "databaseUrl",
    schema: { type: "string", pattern: "^postgres(ql)?://" },
    expected: "a postgres:// connection URL, e.g. postgres://root@127.0.0.1:5432/test",
    parse: asString,
    fallback: "postgres://root@127.0.0.1:5432/test",
    refuse: unsupportedDatabaseProblem,
    check: unparseableUrl,
  },
  REDIS_URL: {
    key: "redisUrl",
    schema: { type: "string", pattern: "^rediss?://" },
    expected: "a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379",
    parse: asString,
    fallback: "redis://127.0.0.1:6379",
    check: unparseableUrl,
  },
  BACKFILL_SIGNING_KEY_FILE: {
    key: "signingKeyFile",
    schema: { type: "string", minLength: 1 },
    expected: "the path of a PEM or JWK private key file (RSA >= 2048 bits or EC P-256)",
    parse: asString,
    fallback: undefined,
  },
  BACKFILL_HEARTBEAT_FILE: {
    key: "heartbeatFile",
    schema: { type: "string", minLength: 1 },
    expected: "the path of a file the worker may write, e.g. /tmp/backfill-heartbeat.json",
    parse: asString,
    fallback: undefined,
  },
  BACKFILL_BATCH_SIZE: {
    key: "batchSize",
    schema: { type: "integer", minimum: 1, maximum: 10000 },
    expected: "an integer from 1 to 10000",
    parse: asInt,
    fallback: 500,
  },
  BACKFILL_CONCURRENCY: {
    key: "concurrency",
    schema: { type: "integer", minimum: 1, maximum: 64 },
    expected: "an integer from 1 to 64",
    parse: asInt,
    fallback: 2,
  },
  BACKFILL_LIBRARY_NAMESPACE: {
    key: "libraryNamespace",
    schema: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$" },
    expected: "a namespace name such as library",
    parse: asString,
    fallback: "library",
  },
  BACKFILL_MANIFEST_MAX_BYTES: {
    key: "manifestMaxBytes",
    schema: { type: "integer", minimum: 1024 },
    expected: "an integer number of bytes >= 1024 (Quay's limit is 3145728)",
    parse: asInt,
    fallback: 3145728,
  },
  BACKFILL_QUEUE_PREFIX: {
    key: "queuePrefix",
    schema: { type: "string", pattern: "^[A-Za-z0-9_-]+$" },
    expected: "letters, digits, '_' or '-' (no ':')",
    parse: asString,
    fallback: "backfill",
  },
  BACKFILL_CONNECT_TIMEOUT_SECONDS: {
    key: "connectTimeoutMs",
    schema: { type: "integer", minimum: 1000, maximum: 300_000 },
    expected: "an integer number of seconds from 1 to 300",
    parse: asSecondsInMs,
    fallback: 10_000,
  },
  BACKFILL_STATEMENT_TIMEOUT_SECONDS: {
    key: "statementTimeoutMs",
    schema: { type: "integer", minimum: 1000, maximum: 86_400_000 },
    expected: "an integer number of seconds from 1 to 86400",
    parse: asSecondsInMs,
    fallback: 60_000,
  },
  BACKFILL_LOCK_TIMEOUT_MS: {
    key: "lockTimeoutMs",
    schema: { type: "integer", minimum: 1, maximum: 600_000 },
    expected: "an integer number of milliseconds from 1 to 600000",
    parse: asInt,
    fallback: 500,
  },
  BACKFILL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: {
    key: "idleInTransactionTimeoutMs",
    schema: { type: "integer", minimum: 1000, maximum: 86_400_000 },
    expected: "an integer number of seconds from 1 to 86400",
    parse: asSecondsInMs,
    fallback: 60_000,
  },
  LOG_LEVEL: {
    key: "logLevel",
    schema: { enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"] },
    expected: "one of fatal, error, warn, info, debug, trace, silent",
    parse: asString,
    fallback: "info",
  },
  ...throttleVariables(),
  ...adaptiveVariables(),
  ...probeVariables(),
  ...schemaCheckVariables(),
  ...walVariables(),
};

const ajv = new Ajv({ allErrors: false });
const validators = Object.fromEntries(
  Object.entries(VARIABLES).map(([name, spec]) => [name, ajv.compile(spec.schema)]),
);

/** Names and meanings of every variable, for `--help` and the README. */
export function describeConfig(): { variable: string; expected: string; default: unknown }[] {
  return Object.entries(VARIABLES).map(([variable, spec]) => ({
    variable,
    expected: spec.expected,
    default: spec.fallback,
  }));
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === "") {
      out[spec.key] = spec.fallback;
      continue;
    }
    const refused = spec.refuse?.(raw);
    if (refused !== undefined) throw new ConfigError(name, refused);
    const value = spec.parse(raw);
    const validate = validators[name];
    if (!validate?.(value)) throw new ConfigError(name, `expected ${spec.expected}`);
    const problem = spec.check?.(value);
    if (problem !== undefined) throw new ConfigError(name, problem);
    out[spec.key] = value;
  }
  const bounds = adaptiveBoundsProblem(out as { minBatchSize: number; maxBatchSize: number });
  if (bounds) throw new ConfigError(bounds.variable, bounds.problem);
  const lines = throttleBoundsProblem(out as { maxReplicaLagS: number; criticalReplicaLagS: number });
  if (lines) throw new ConfigError(lines.variable, lines.problem);
  return Object.freeze(out) as unknown as Config;
}

/** A connection string with its password replaced, safe for logs and audit rows. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable url>";
  }
}
