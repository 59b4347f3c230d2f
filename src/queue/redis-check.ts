import { Redis } from "ioredis";
import { redactUrl } from "../config.js";
import { ConfigError, UnreachableError } from "../errors.js";

/**
 * Connects once and waits for a PING answer within `timeoutMs`, before a command starts work that would
 * otherwise wait for Redis forever: a port that accepts but never answers, a refused connection, or a
 * refused password (a configuration error, exit 2) stop it with one line. Outages after this are waited
 * out by the queues' own reconnects.
 */
export async function checkRedis(url: string, timeoutMs: number): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  // ioredis rejects connect() with "Connection is closed." and tells the reason only to 'error'.
  let reason: (Error & { code?: unknown }) | undefined;
  client.on("error", (err: Error) => (reason ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    const answered = client.connect().then(() => client.ping());
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeoutMs);
    });
    const result = await Promise.race([
      answered.then(
        () => "ok" as const,
        (err: unknown) => (reason ??= err instanceof Error ? err : new Error(String(err))),
      ),
      late,
    ]);
    if (result === "ok") return;
    throw redisFailure(url, result === "late" ? undefined : reason, timeoutMs);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

function redisFailure(url: string, err: (Error & { code?: unknown }) | undefined, timeoutMs: number): Error {
  const where = `Redis at ${redactUrl(url)}`;
  if (err === undefined)
    return new UnreachableError(
      `${where} did not answer within ${timeoutMs / 1000} s (BACKFILL_CONNECT_TIMEOUT_SECONDS): is the server up, and is REDIS_URL's port Redis's?`,
    );
  const message = err.message.split("\n")[0] ?? "";
  if (/^NOAUTH\b/.test(message))
    return new ConfigError(
      "REDIS_URL",
      `${where} requires a password: give it as redis://:PASSWORD@host:port`,
    );
  if (/^WRONGPASS\b|^ERR (invalid password|AUTH)/.test(message))
    return new ConfigError("REDIS_URL", `${where} refused the password (${message}): fix it in REDIS_URL`);
  const code = typeof err.code === "string" ? err.code : message;
  return new UnreachableError(`cannot connect to ${where} (${code}): start the server or fix REDIS_URL`);
}
