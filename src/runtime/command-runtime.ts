import os from "node:os";
import type { Kysely } from "kysely";
import { JOB_TABLE } from "../../jobs/job-table.js";
import { loadConfig, type Config } from "../config.js";
import { applicationNameWithin63Bytes, connect, type SessionGuards } from "../db/connect.js";
import type { Database } from "../db/tables.js";
import { UsageError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import { loadSigner, type Signer } from "../manifest/signer.js";
import { openQueues, type BackfillQueues } from "../queue/backfill-queues.js";
import { checkRedis } from "../queue/redis-check.js";
import { checkQuaySchema } from "../run/quay-schema-check.js";
import { checkPrivileges } from "../run/privilege-check.js";
import type { PrivilegeUse } from "../quay-schema/required-privileges.js";
import { openBatchCore, type BatchCore } from "../run/batch-core.js";
import type { JobKind } from "../run/job-kind.js";
import { readSigningKeyFile } from "../signing/signing-key-file.js";

export interface RuntimeOptions {
  /** Log at warn unless LOG_LEVEL is set: a progress bar or a JSON result owns the terminal. */
  quiet?: boolean;
}

export interface DatabaseOptions {
  /** Pool size. */
  max: number;
  applicationName?: string;
  /** Send SQL (debug) and idle-client errors to the runtime's logger. */
  logged?: boolean;
  /**
   * The session guards of the config: `batch` all three (commands that write batches), `read-only` the
   * lock and idle-in-transaction timeouts only (a long read is not cut short); none when absent.
   */
  guards?: "batch" | "read-only";
}

export interface QueueOptions {
  /** Wait for Redis to answer once first: a silent or refusing Redis stops the command with one line. */
  check?: boolean;
  /** Fail a command at once when Redis is unreachable instead of waiting for it. */
  failFast?: boolean;
  /** Log nothing about Redis errors (a read-only view reports them itself). */
  silent?: boolean;
}

/**
 * What a command runs on: the config read once, one logger, and the database, queues, batch core and
 * signer it opens, in that order, all closed in reverse by one `close()`.
 */
export interface CommandRuntime {
  readonly config: Config;
  readonly logger: Logger;
  /** The job kinds workers consume (jobs/job-table.ts). */
  readonly jobs: readonly JobKind[];
  database(options: DatabaseOptions): Kysely<Database>;
  /** Quay's schema against the supported ones (BACKFILL_SCHEMA_CHECK), on the database opened before. */
  checkQuaySchema(): Promise<void>;
  /**
   * The role's privileges for what the command does (src/quay-schema/required-privileges.ts), on the
   * database opened before: one missing stops the command with one line and the GRANT to fix it.
   */
  checkPrivileges(uses: readonly PrivilegeUse[]): Promise<void>;
  queues(options?: QueueOptions): Promise<BackfillQueues>;
  /** The batch core on the database opened before; `requireKey`: refuse to go on without a signing key. */
  batchCore(options: { requireKey: boolean }): Promise<BatchCore>;
  /** The operator's signing key in this process, or undefined when BACKFILL_SIGNING_KEY_FILE is not set. */
  signer(): Promise<Signer | undefined>;
  /** The operator's key id, or undefined when no key is set or it cannot be read. */
  keyId(): Promise<string | undefined>;
  /** Closes what was opened, newest first; idempotent. */
  close(): Promise<void>;
}

/** Reads the config (a ConfigError names the bad variable) and opens nothing yet. */
export function openRuntime(options: RuntimeOptions = {}): CommandRuntime {
  const config = loadConfig();
  let logger: Logger | undefined;
  let db: Kysely<Database> | undefined;
  const closers = new Set<() => Promise<void>>();
  // Registers a close so that it runs once, by its owner or by close(), whichever comes first.
  const track = (close: () => Promise<void>): (() => Promise<void>) => {
    let done: Promise<void> | undefined;
    const once = () => {
      closers.delete(once);
      return (done ??= close());
    };
    closers.add(once);
    return once;
  };
  const runtime: CommandRuntime = {
    config,
    get logger() {
      // Created on first use: a pretty logger starts a thread that a command without logs does not need.
      logger ??= createLogger({ level: options.quiet && !process.env.LOG_LEVEL ? "warn" : config.logLevel });
      return logger;
    },
    jobs: JOB_TABLE,
    database(dbOptions) {
      const opened = connect(config.databaseUrl, {
        max: dbOptions.max,
        ...(dbOptions.logged ? { logger: runtime.logger } : {}),
        ...(dbOptions.applicationName ? { applicationName: dbOptions.applicationName } : {}),
        connectTimeoutMs: config.connectTimeoutMs,
        ...(dbOptions.guards ? { guards: sessionGuards(config, dbOptions.guards) } : {}),
      });
      db = opened;
      track(() => opened.destroy());
      return opened;
    },
    async checkQuaySchema() {
      if (!db) throw new Error("open the database before checking Quay's schema");
      await checkQuaySchema(db, runtime.logger, config.schemaCheck);
    },
    async checkPrivileges(uses) {
      if (!db) throw new Error("open the database before checking the role's privileges");
      await checkPrivileges(db, runtime.logger, uses);
    },
    async queues(queueOptions = {}) {
      if (queueOptions.check) await checkRedis(config.redisUrl, config.connectTimeoutMs);
      const queues = openQueues({
        redisUrl: config.redisUrl,
        prefix: config.queuePrefix,
        logger: queueOptions.silent ? createLogger({ level: "silent" }) : runtime.logger,
        ...(queueOptions.failFast ? { failFast: true } : {}),
      });
      return { ...queues, close: track(() => queues.close()) };
    },
    async batchCore(coreOptions) {
      if (!db) throw new Error("open the database before the batch core");
      const core = await openBatchCore(config, db, runtime.logger, coreOptions);
      return { ...core, close: track(() => core.close()) };
    },
    signer: () => operatorSigner(config.signingKeyFile),
    async keyId() {
      try {
        return (await operatorSigner(config.signingKeyFile))?.kid;
      } catch {
        return undefined;
      }
    },
    async close() {
      for (const close of [...closers].reverse()) await close();
    },
  };
  return runtime;
}

function sessionGuards(config: Config, kind: "batch" | "read-only"): SessionGuards {
  return {
    ...(kind === "batch" ? { statementTimeoutMs: config.statementTimeoutMs } : {}),
    lockTimeoutMs: config.lockTimeoutMs,
    idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
  };
}

/** application_name of a command's sessions: what it is and which process (`backfill-worker:<host>:<pid>`). */
export function processApplicationName(role: string): string {
  return applicationNameWithin63Bytes(`backfill-${role}:${os.hostname()}:${process.pid}`);
}

async function operatorSigner(file: string | undefined): Promise<Signer | undefined> {
  if (file === undefined) return undefined;
  const contents = await readSigningKeyFile(file);
  try {
    return loadSigner(contents);
  } catch (err) {
    throw new UsageError(`BACKFILL_SIGNING_KEY_FILE: ${err instanceof Error ? err.message : "unusable key"}`);
  }
}
