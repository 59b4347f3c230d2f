import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "./tables.js";

// One probe per pool (Kysely handle): the server's answer does not change while it runs.
const lz4ByPool = new WeakMap<Kysely<Database>, Promise<boolean>>();

/**
 * Whether the server can compress TOAST values with lz4: PostgreSQL 14 or later built with it (the GUC's
 * allowed values list lz4 only then; before 14 the GUC does not exist). A failed probe means no.
 */
function lz4Supported(db: Kysely<Database>): Promise<boolean> {
  let known = lz4ByPool.get(db);
  if (known === undefined) {
    known = sql<{ ok: boolean }>`
      SELECT 'lz4' = ANY(enumvals) AS ok FROM pg_settings WHERE name = 'default_toast_compression'`
      .execute(db)
      .then((result) => result.rows[0]?.ok === true)
      .catch(() => false);
    lz4ByPool.set(db, known);
  }
  return known;
}

/**
 * Makes the transaction's new TOAST values (each manifest text, ~10 KB, is stored twice per tag) compress
 * with lz4 instead of pglz: about a quarter of the server's CPU for the same size. A setting of this
 * transaction only: no table definition changes, readers decompress either transparently, and a column
 * may hold both. Silently nothing where the server lacks lz4.
 */
export async function preferLz4Toast(db: Kysely<Database>, trx: Transaction<Database>): Promise<void> {
  if (await lz4Supported(db)) await sql`SET LOCAL default_toast_compression = lz4`.execute(trx);
}
