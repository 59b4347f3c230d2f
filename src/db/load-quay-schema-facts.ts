import { sql, type Kysely } from "kysely";
import type { SchemaFacts } from "../quay-schema/schema-fingerprint.js";
import type { Database } from "./tables.js";

/**
 * Four catalog queries: the columns, foreign keys, unique indexes and id sequences of the given tables, as
 * the session resolves their names (the search path), so the tables checked are the ones the backfill's
 * unqualified queries will use.
 */
export async function loadQuaySchemaFacts(
  db: Kysely<Database>,
  tables: readonly string[],
): Promise<SchemaFacts> {
  const names = [...tables];
  const visible = sql`c.relname = ANY(${names}::text[]) AND c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)`;
  const columns = await sql<{
    table: string;
    column: string;
    type: string;
    notNull: boolean;
    hasDefault: boolean;
  }>`
    SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type",
           a.attnotnull AS "notNull", (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS "hasDefault"
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
     WHERE ${visible} AND a.attnum > 0 AND NOT a.attisdropped`.execute(db);
  const foreignKeys = await sql<{
    table: string;
    columns: string[];
    refTable: string;
    refColumns: string[];
  }>`
    SELECT c.relname AS "table", r.relname AS "refTable",
           ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i) AS "columns",
           ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                   JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i) AS "refColumns"
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
     WHERE k.contype = 'f' AND ${visible}`.execute(db);
  const uniqueIndexes = await sql<{ table: string; columns: string[] }>`
    SELECT c.relname AS "table",
           ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) u(n)
                   JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.n) AS "columns"
      FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
     WHERE x.indisunique AND x.indisvalid AND x.indpred IS NULL AND 0 <> ALL(x.indkey::int2[]) AND ${visible}`.execute(
    db,
  );
  const sequences = await sql<{ table: string }>`
    SELECT c.relname AS "table"
      FROM pg_class c
     WHERE ${visible}
       AND CASE WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped)
                THEN pg_get_serial_sequence(c.oid::regclass::text, 'id') END IS NOT NULL`.execute(db);
  return {
    columns: columns.rows,
    foreignKeys: foreignKeys.rows,
    uniqueIndexes: uniqueIndexes.rows,
    idSequences: sequences.rows.map((r) => r.table),
  };
}

/** Quay's alembic revision (`alembic_version`), or null where there is none (a database `migrate` made). */
export async function loadAlembicRevision(db: Kysely<Database>): Promise<string | null> {
  const table = await sql<{
    found: string | null;
  }>`SELECT to_regclass('alembic_version')::text AS found`.execute(db);
  if (table.rows[0]?.found == null) return null;
  const rows = await sql<{ version: string }>`SELECT version_num AS version FROM alembic_version`.execute(db);
  return rows.rows.map((r) => r.version).join(",") || null;
}
