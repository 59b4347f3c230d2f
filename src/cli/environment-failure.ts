import { redactUrl } from "../config.js";

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset",
};

interface ErrorFields {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  severity?: unknown;
  errors?: unknown;
  cause?: unknown;
  message?: unknown;
}

function fields(err: unknown): ErrorFields | undefined {
  return typeof err === "object" && err !== null ? err : undefined;
}

/** host:port of a socket error; an AggregateError (one attempt per resolved address) names its first. */
function endpoint(err: ErrorFields): string | undefined {
  const inner = Array.isArray(err.errors) ? fields(err.errors[0]) : undefined;
  const source = typeof err.address === "string" ? err : inner;
  if (source === undefined || typeof source.address !== "string") return undefined;
  return typeof source.port === "number" ? `${source.address}:${source.port}` : source.address;
}

/** Whether a socket error's host:port is DATABASE_URL's port (the host may be a name that resolved). */
function isDatabaseUrlEndpoint(hostPort: string, databaseUrl: string): boolean {
  try {
    const url = new URL(databaseUrl);
    return hostPort.endsWith(`:${url.port === "" ? "5432" : url.port}`);
  } catch {
    return false;
  }
}

/**
 * The one-line message for a failure the operator fixes outside the code: PostgreSQL not reachable or
 * refusing the login, a missing database, a database that was never migrated. Undefined for anything
 * else (a bug, whose stack the CLI prints). The URL is shown without its password.
 */
export function describeEnvironmentFailure(err: unknown, databaseUrl: string): string | undefined {
  for (let e = fields(err), depth = 0; e !== undefined && depth < 3; e = fields(e.cause), depth++) {
    const described = describeOne(e, databaseUrl);
    if (described !== undefined) return described;
  }
  return undefined;
}

function describeOne(err: ErrorFields, databaseUrl: string): string | undefined {
  const url = redactUrl(databaseUrl);
  const code = typeof err.code === "string" ? err.code : undefined;
  const message = typeof err.message === "string" ? err.message : "";
  if (code === undefined) return undefined;
  const network = NETWORK_CODES[code];
  if (network !== undefined) {
    const where = endpoint(err);
    if (where !== undefined && !isDatabaseUrlEndpoint(where, databaseUrl))
      return `cannot connect to ${where} (${network}): is the server running, and are DATABASE_URL and REDIS_URL right?`;
    return `cannot connect to PostgreSQL at ${url} (${network}): start the server or fix DATABASE_URL`;
  }
  // PostgreSQL's own errors carry a severity and a five-character SQLSTATE.
  if (typeof err.severity !== "string") return undefined;
  switch (code) {
    case "3D000":
      return `PostgreSQL at ${url}: ${message}: create the database or fix DATABASE_URL`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${url} refused the login (${message}): fix the user or password in DATABASE_URL`;
    case "42P01":
      return /relation "backfill\./.test(message)
        ? `the database at ${url} has no backfill ledger (${message}): run \`backfill migrate\` first`
        : `the database at ${url} lacks a table this command needs (${message}): is DATABASE_URL the registry's database, and has \`backfill migrate\` run?`;
    default:
      return undefined;
  }
}
