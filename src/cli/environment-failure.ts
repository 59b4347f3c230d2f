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

/** What went wrong, in one line, and whether a configuration value is what to fix (exit 2, not 1). */
export interface EnvironmentFailure {
  text: string;
  configuration: boolean;
}

/** Node's codes for a TLS certificate the client would not accept. */
const TLS_CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * The one-line message for a failure the operator fixes outside the code: PostgreSQL not reachable, not
 * answering or refusing the login, TLS asked of a server without it, a missing database, a database that
 * was never migrated. Undefined for anything else (a bug, whose stack the CLI prints). The URL is shown
 * without its password.
 */
export function describeEnvironmentFailure(err: unknown, databaseUrl: string): string | undefined {
  return classifyEnvironmentFailure(err, databaseUrl)?.text;
}

/** describeEnvironmentFailure, with whether the fix is a configuration value. */
export function classifyEnvironmentFailure(
  err: unknown,
  databaseUrl: string,
): EnvironmentFailure | undefined {
  for (let e = fields(err), depth = 0; e !== undefined && depth < 3; e = fields(e.cause), depth++) {
    const described = describeOne(e, databaseUrl);
    if (described !== undefined) return described;
  }
  return undefined;
}

function describeOne(err: ErrorFields, databaseUrl: string): EnvironmentFailure | undefined {
  const text = describeText(err, databaseUrl);
  if (text === undefined) return undefined;
  const code = typeof err.code === "string" ? err.code : "";
  const configuration =
    code === "28P01" || code === "28000" || TLS_CERTIFICATE_CODES.has(code) || isTlsRefused(err);
  return { text, configuration };
}

const isTlsRefused = (err: ErrorFields): boolean =>
  err.message === "The server does not support SSL connections";

function describeText(err: ErrorFields, databaseUrl: string): string | undefined {
  const url = redactUrl(databaseUrl);
  const code = typeof err.code === "string" ? err.code : undefined;
  const message = typeof err.message === "string" ? err.message : "";
  // pg's own words: the connect timeout passed, and TLS asked (sslmode) of a server that has none.
  if (message === "timeout expired")
    return `PostgreSQL at ${url} did not answer within the connect timeout (BACKFILL_CONNECT_TIMEOUT_SECONDS): is the server up, and is DATABASE_URL's port PostgreSQL's?`;
  if (isTlsRefused(err))
    return `PostgreSQL at ${url} does not accept TLS, which DATABASE_URL's sslmode asks for: enable TLS on the server or set sslmode=disable`;
  if (code === undefined) return undefined;
  if (TLS_CERTIFICATE_CODES.has(code))
    return `PostgreSQL at ${url} presented a TLS certificate that was not accepted (${message}): give its CA with sslrootcert=FILE in DATABASE_URL, or fix the host name`;
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
