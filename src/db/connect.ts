import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { logEvent } from "../log-events/log-event.js";
import type { Logger } from "../log.js";
import { copyInQuery } from "./copy-in.js";
import type { Database } from "./tables.js";

const INT8_OID = 20;

// bigint columns hold milliseconds, sizes and ids, all far below 2^53: read them as numbers, per pool,
// without touching pg's global parsers.
const types = {
  getTypeParser(oid: number, format?: "text" | "binary"): (value: string) => unknown {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? "text") as (value: string) => unknown;
  },
};

export interface ConnectOptions {
  max?: number;
  logger?: Logger;
  applicationName?: string;
  /** How long opening a connection may take (a port that accepts but never answers); 10 s by default. */
  connectTimeoutMs?: number;
  /** Session guards, set on every connection of the pool; the server's settings when absent. */
  guards?: SessionGuards;
}

/** What a session of the backfill may do to a live database: how long it may run, wait or sit idle. */
export interface SessionGuards {
  statementTimeoutMs?: number;
  /** Short: the backfill gives up a lock fight, so the application never queues behind its request. */
  lockTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
}

/** PostgreSQL keeps the first 63 bytes of application_name; cut at a character, not inside one. */
export function applicationNameWithin63Bytes(name: string): string {
  let out = name;
  while (Buffer.byteLength(out) > 63) out = out.slice(0, -1);
  return out;
}

/** pg sends these as startup parameters, so every connection has them from its first statement on. */
function guardSettings(guards: SessionGuards | undefined): Partial<pg.PoolConfig> {
  if (!guards) return {};
  return {
    ...(guards.statementTimeoutMs ? { statement_timeout: guards.statementTimeoutMs } : {}),
    ...(guards.lockTimeoutMs ? { lock_timeout: guards.lockTimeoutMs } : {}),
    ...(guards.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: guards.idleInTransactionTimeoutMs }
      : {}),
  };
}

/** pg's current reading of these modes (verify the certificate, as verify-full), which it warns about. */
const VERIFYING_SSL_MODES = new Set(["prefer", "require", "verify-ca"]);

/**
 * The connection string pg is given: `sslmode=prefer|require|verify-ca` spelled as what pg does with them
 * (verify-full), so pg's deprecation warning is not printed on every command; the behaviour is unchanged.
 * With `uselibpqcompat=true` the URL asks for libpq's meaning instead and is passed through.
 */
export function pgConnectionString(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return databaseUrl;
  }
  const mode = url.searchParams.get("sslmode");
  if (mode === null || !VERIFYING_SSL_MODES.has(mode) || url.searchParams.get("uselibpqcompat") === "true")
    return databaseUrl;
  url.searchParams.set("sslmode", "verify-full");
  return url.toString();
}

/**
 * pg.Client opening its connection within `ms`. Not the pool's connectionTimeoutMillis: that one also
 * bounds the wait for a busy pool's free client, which a long batch transaction may rightly hold. Its
 * `query` also runs the COPY statements of src/db/copy-in.ts.
 */
function clientWithConnectTimeout(ms: number): typeof pg.Client {
  return class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: ms });
      const plain = this.query.bind(this) as (...args: unknown[]) => unknown;
      Object.assign(this, { query: copyInQuery(this, plain) });
    }
  };
}

/** A Kysely handle on a pg pool. SQL goes to the logger at debug, without parameter values. */
export function connect(databaseUrl: string, options: ConnectOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: pgConnectionString(databaseUrl),
    max: options.max ?? 10,
    Client: clientWithConnectTimeout(options.connectTimeoutMs ?? 10_000),
    // A server that vanishes without a goodbye is noticed by the kernel instead of never.
    keepAlive: true,
    types,
    application_name: applicationNameWithin63Bytes(options.applicationName ?? "backfill"),
    ...guardSettings(options.guards),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", (err) => {
    if (options.logger)
      logEvent(options.logger, "warn", "db.pool_error", { err }, "idle database client failed");
  });
  // A checked-out client whose server vanishes between two queries (a transaction waiting on signing)
  // emits 'error' with no listener, which would end the process; its next query fails instead, and the
  // caller's retry policy waits the outage out.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const logger = options.logger;
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: logger
      ? (event) => {
          if (event.level === "error") {
            logEvent(logger, "debug", "db.query_failed", {
              sql: event.query.sql,
              durationMs: event.queryDurationMillis,
            });
          } else if (logger.isLevelEnabled("trace")) {
            logEvent(logger, "trace", "db.query", {
              sql: event.query.sql,
              durationMs: event.queryDurationMillis,
            });
          }
        }
      : undefined,
  });
}
