import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { sql, type Kysely } from "kysely";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Database } from "./tables.js";
import { binaryCopyChunks, type CopyColumnType, type CopyValue } from "./copy-binary.js";

/** The rows of one `COPY … FROM STDIN`, carried to the connection as the statement's only parameter. */
export class CopyInRows {
  constructor(
    readonly types: readonly CopyColumnType[],
    readonly rows: Iterable<readonly CopyValue[]>,
  ) {}
}

/**
 * Streams `rows` into `table` (a temporary table of this session) with binary COPY. It goes through Kysely
 * like any statement, so it runs in the caller's transaction, on its connection, under its
 * statement_timeout, and the batch's query counter counts it. The rows ride along as a parameter that
 * only appears in a comment: the connection's `query` (copyInQuery) sees them and streams them instead.
 */
export async function copyIn(
  db: Kysely<Database>,
  table: string,
  columns: readonly string[],
  types: readonly CopyColumnType[],
  rows: Iterable<readonly CopyValue[]>,
): Promise<void> {
  await sql`COPY ${sql.raw(`${table} (${columns.join(", ")})`)} FROM STDIN (FORMAT binary) /* ${new CopyInRows(types, rows)} */`.execute(
    db,
  );
}

type Query = (...args: unknown[]) => unknown;

/**
 * The client's `query`, except that a statement whose only parameter is a CopyInRows is run as COPY FROM
 * STDIN with those rows (the text is sent as it is: the `$1` sits in a comment). Resolves like pg's result.
 */
export function copyInQuery(client: pg.Client, plain: Query): Query {
  return (...args: unknown[]): unknown => {
    const [text, values] = args;
    if (typeof text !== "string" || !Array.isArray(values) || values.length !== 1) return plain(...args);
    const payload: unknown = values[0];
    if (!(payload instanceof CopyInRows)) return plain(...args);
    return runCopyIn(client, text, payload);
  };
}

async function runCopyIn(
  client: pg.Client,
  text: string,
  payload: CopyInRows,
): Promise<{ command: string; rowCount: number; rows: never[] }> {
  const stream = client.query(copyFrom(text));
  await pipeline(Readable.from(binaryCopyChunks(payload.types, payload.rows)), stream);
  return { command: "COPY", rowCount: stream.rowCount, rows: [] };
}

/**
 * A temporary table for copyIn, dropped at commit (or with a rollback to before it): call it inside the
 * transaction. `external` columns are kept out of line uncompressed, so a large text is not compressed
 * into the scratch table only to be decompressed for the real one.
 */
export async function createCopyTable(
  db: Kysely<Database>,
  name: string,
  definition: string,
  external: readonly string[] = [],
): Promise<void> {
  const storage = external.map((c) => `; ALTER TABLE pg_temp.${name} ALTER COLUMN ${c} SET STORAGE EXTERNAL`);
  // One round trip (no parameters: the simple protocol takes several statements).
  await sql
    .raw(`CREATE TEMP TABLE IF NOT EXISTS ${name} (${definition}) ON COMMIT DROP${storage.join("")}`)
    .execute(db);
}
