import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * One statement: `n` fresh ids from the table's serial sequence. Rows inserted with ids known in advance
 * can reference each other (a synthesised image's `ancestors` names its new parent) and be matched to
 * their source without relying on RETURNING order.
 */
export async function allocateIds(
  db: Kysely<Database>,
  table: "image" | "tag" | "manifest" | "tagmanifest",
  n: number,
): Promise<number[]> {
  if (n === 0) return [];
  const result = await sql<{ id: number | string }>`
    SELECT nextval(pg_get_serial_sequence(${table}, 'id')) AS id FROM generate_series(1, ${n}::int)`.execute(
    db,
  );
  // nextval is bigint: read it as a number whatever type parser the handle was given.
  return result.rows.map((row) => Number(row.id));
}
