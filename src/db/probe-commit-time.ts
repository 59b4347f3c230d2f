import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";
import { timeOnOneConnection, type ResponseProbe } from "./probe-response-time.js";

/** How many durable commits one reading times. */
export const COMMIT_PROBES = 3;

/**
 * Times durable commits, as the registry's own writes commit: each is one autocommit statement that
 * writes a WAL record (a transactional logical message, prefix `quay-backfill`, which changes no table),
 * so its commit waits for the WAL to be flushed up to it, and for a synchronous standby when one is
 * configured. A bulk writer sharing the WAL makes exactly this wait long (README, "Beside a live
 * workload"). All on one reserved connection; only the statements are timed.
 */
export const timeDurableCommits: ResponseProbe = (db) =>
  timeOnOneConnection(db, COMMIT_PROBES, (conn) => durableCommit(conn, "commit probe"));

/** One autocommit statement whose commit waits for the WAL flush: a logical message saying `what`. */
export function durableCommit(conn: Kysely<Database>, what: string): Promise<unknown> {
  return sql`SELECT pg_logical_emit_message(true, 'quay-backfill', ${what}::text)`.execute(conn);
}
