import { sql, type Kysely } from "kysely";
import type { PrivilegeFacts } from "../quay-schema/privilege-verdict.js";
import type { PrivilegeRequirements, TablePrivilege } from "../quay-schema/required-privileges.js";
import type { Database } from "./tables.js";

interface FactRow {
  kind: "role" | "database" | "schema" | "table" | "sequence";
  name: string;
  ident: string;
  privilege: string;
  granted: boolean;
}

/**
 * One catalog query: the session's role, whether it holds each required privilege, and the `id` sequence
 * of each table it inserts into. Tables are looked up by OID, never by a name the server would resolve
 * (that fails in a schema the role may not use): Quay's unqualified names as the search path sees them
 * (pg_table_is_visible), ours by schema and name. SELECT, INSERT and UPDATE count when granted on the
 * table or on any column of it (a role granted column by column is not refused on a guess).
 */
export async function loadPrivilegeFacts(
  db: Kysely<Database>,
  required: PrivilegeRequirements,
): Promise<PrivilegeFacts> {
  const names = required.tables.flatMap((t) => t.privileges.map(() => t.table));
  const privileges = required.tables.flatMap((t) => t.privileges);
  const result = await sql<FactRow>`
    WITH rel AS (
      SELECT c.oid, c.relname, s.nspname
        FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p')
    ), wanted AS (
      SELECT w.name, w.privilege, r.oid, format('%I.%I', r.nspname, r.relname) AS ident
        FROM unnest(${names}::text[], ${privileges}::text[]) AS w(name, privilege)
        JOIN rel r ON CASE WHEN strpos(w.name, '.') > 0
                           THEN r.nspname = split_part(w.name, '.', 1) AND r.relname = split_part(w.name, '.', 2)
                           ELSE r.relname = w.name AND pg_table_is_visible(r.oid) END
    )
    SELECT 'role' AS kind, current_user::text AS name, quote_ident(current_user) AS ident, '' AS privilege,
           true AS granted
    UNION ALL
    SELECT 'database', current_database()::text, quote_ident(current_database()), 'TEMPORARY',
           has_database_privilege(current_database(), 'TEMPORARY')
    UNION ALL
    SELECT 'schema', s.nspname::text, quote_ident(s.nspname), 'USAGE', has_schema_privilege(s.oid, 'USAGE')
      FROM pg_namespace s WHERE s.nspname = ANY(${[...required.schemas]}::text[])
    UNION ALL
    SELECT 'table', w.name, w.ident, w.privilege,
           CASE w.privilege WHEN 'DELETE' THEN has_table_privilege(w.oid, 'DELETE')
                            ELSE has_any_column_privilege(w.oid, w.privilege) END
      FROM wanted w
    UNION ALL
    SELECT DISTINCT 'sequence', w.name, format('%I.%I', sn.nspname, sq.relname), 'USAGE',
           has_sequence_privilege(sq.oid, 'USAGE') OR has_sequence_privilege(sq.oid, 'UPDATE')
      FROM wanted w
      JOIN pg_attribute a ON a.attrelid = w.oid AND a.attname = 'id' AND NOT a.attisdropped
      JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = w.oid AND d.refobjsubid = a.attnum
                      AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
      JOIN pg_class sq ON sq.oid = d.objid AND sq.relkind = 'S'
      JOIN pg_namespace sn ON sn.oid = sq.relnamespace
     WHERE w.name = ANY(${[...required.sequences]}::text[])`.execute(db);
  return factsOf(result.rows);
}

function factsOf(rows: readonly FactRow[]): PrivilegeFacts {
  const role = rows.find((r) => r.kind === "role");
  const database = rows.find((r) => r.kind === "database");
  if (role === undefined || database === undefined)
    throw new Error("the privilege query returned no role row");
  return {
    role: role.name,
    roleIdent: role.ident,
    databaseIdent: database.ident,
    temporary: database.granted,
    schemas: rows
      .filter((r) => r.kind === "schema")
      .map((r) => ({ name: r.name, ident: r.ident, usage: r.granted })),
    tables: rows
      .filter((r) => r.kind === "table")
      .map((r) => ({
        table: r.name,
        qualified: r.ident,
        privilege: r.privilege as TablePrivilege,
        granted: r.granted,
      })),
    sequences: rows
      .filter((r) => r.kind === "sequence")
      .map((r) => ({ table: r.name, qualified: r.ident, granted: r.granted })),
  };
}
