import { sql, type Kysely } from "kysely";
import { sqlStateIn } from "../classify-error.js";
import { copyIn } from "./copy-in.js";
import type { CopyColumnType, CopyValue } from "./copy-binary.js";
import type { Database } from "./tables.js";

const UNIQUE_VIOLATION: ReadonlySet<string> = new Set(["23505"]);
const SAVEPOINT = "backfill_copy";

/**
 * COPY straight into one of Quay's tables, inside a savepoint: no scratch table and no second pass over
 * the rows. False, with the savepoint rolled back, when one of the rows' unique keys is taken (another
 * writer got there since the batch looked, or the rows repeat a key): the caller then takes the
 * `INSERT … ON CONFLICT` path. Any other error is the caller's, as from any statement.
 */
export async function copyUnlessTaken(
  db: Kysely<Database>,
  table: string,
  columns: readonly string[],
  types: readonly CopyColumnType[],
  rows: Iterable<readonly CopyValue[]>,
): Promise<boolean> {
  await sql.raw(`SAVEPOINT ${SAVEPOINT}`).execute(db);
  try {
    await copyIn(db, table, columns, types, rows);
  } catch (err) {
    if (sqlStateIn(err, UNIQUE_VIOLATION) === undefined) throw err;
    await sql.raw(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).execute(db);
    await sql.raw(`RELEASE SAVEPOINT ${SAVEPOINT}`).execute(db);
    return false;
  }
  await sql.raw(`RELEASE SAVEPOINT ${SAVEPOINT}`).execute(db);
  return true;
}
