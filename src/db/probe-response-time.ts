import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** Times a few cheap queries; the throttle's response-time signal (src/run/probe-latency.ts). */
export type ResponseProbe = (db: Kysely<Database>) => Promise<number[]>;

/** How many probe queries one reading times. */
export const PROBE_QUERIES = 3;

/**
 * An index lookup on Quay's tag table by a random id, as the registry's own reads are, timed in
 * milliseconds. All on one reserved connection, and only the queries are timed: a pool busy with the
 * backfill's batches must not read as a slow server.
 */
export const timeProbeQueries: ResponseProbe = (db) =>
  timeOnOneConnection(db, PROBE_QUERIES, (conn) => {
    const id = 1 + Math.floor(Math.random() * 2 ** 30);
    return sql`SELECT 1 FROM repositorytag WHERE id = ${id}`.execute(conn);
  });

/** Runs `statement` `count` times on one reserved connection; each run's time in milliseconds. */
export function timeOnOneConnection(
  db: Kysely<Database>,
  count: number,
  statement: (conn: Kysely<Database>) => Promise<unknown>,
): Promise<number[]> {
  return db.connection().execute(async (conn) => {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await statement(conn);
      samples.push(performance.now() - start);
    }
    return samples;
  });
}
