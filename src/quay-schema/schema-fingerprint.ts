import { createHash } from "node:crypto";
import { USED_SCHEMA, type UsedTable } from "./used-schema.js";

/** What the catalog says about the tables the backfill uses (src/db/load-quay-schema-facts.ts reads it). */
export interface SchemaFacts {
  readonly columns: readonly {
    table: string;
    column: string;
    /** `format_type` of the column: `character varying(255)`, `bigint`, `timestamp without time zone`… */
    type: string;
    notNull: boolean;
    hasDefault: boolean;
  }[];
  readonly foreignKeys: readonly {
    table: string;
    columns: readonly string[];
    refTable: string;
    refColumns: readonly string[];
  }[];
  /** Unique indexes and constraints on plain columns, without a predicate. */
  readonly uniqueIndexes: readonly { table: string; columns: readonly string[] }[];
  /** Tables whose `id` column has a serial or identity sequence. */
  readonly idSequences: readonly string[];
}

/**
 * One schema as the check compares it: sorted `key: value` lines, one per used column, foreign key from a
 * used column, unique key the backfill needs, id sequence it draws from, and extra column that would
 * refuse the backfill's inserts. Equal lines, equal schema (as far as the backfill can tell).
 */
export type SchemaLines = readonly string[];

const SEPARATOR = ": ";

function usedColumn(used: Readonly<Record<string, UsedTable>>, table: string, column: string): boolean {
  return used[table]?.columns.includes(column) ?? false;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(",") === [...b].sort().join(",");
}

/** The facts reduced to what the backfill uses, as sorted lines; pure, so the same facts give the same lines. */
export function normaliseSchema(
  facts: SchemaFacts,
  used: Readonly<Record<string, UsedTable>> = USED_SCHEMA,
): SchemaLines {
  const lines: string[] = [];
  for (const c of facts.columns) {
    const spec = used[c.table];
    if (spec === undefined) continue;
    if (spec.columns.includes(c.column)) {
      lines.push(`column ${c.table}.${c.column}${SEPARATOR}${c.type} ${c.notNull ? "not null" : "null"}`);
    } else if (spec.written && c.notNull && !c.hasDefault) {
      const what = `${c.table}.${c.column} (not written by the backfill)`;
      lines.push(`column ${what}${SEPARATOR}${c.type} not null without a default`);
    }
  }
  for (const fk of facts.foreignKeys) {
    if (!fk.columns.some((column) => usedColumn(used, fk.table, column))) continue;
    const target = `${fk.refTable}.${fk.refColumns.join(",")}`;
    lines.push(`foreign key ${fk.table}.${fk.columns.join(",")}${SEPARATOR}references ${target}`);
  }
  for (const [table, spec] of Object.entries(used)) {
    for (const key of spec.uniqueKeys ?? []) {
      const found = facts.uniqueIndexes.some((u) => u.table === table && sameColumns(u.columns, key));
      if (found) lines.push(`unique key ${table} (${key.join(", ")})${SEPARATOR}present`);
    }
    if (spec.idSequence && facts.idSequences.includes(table)) {
      lines.push(`id sequence ${table}${SEPARATOR}present`);
    }
  }
  return [...new Set(lines)].sort();
}

/** sha256 of the lines: the schema's name in logs and in supported-schemas.ts. */
export function schemaFingerprint(lines: SchemaLines): string {
  return createHash("sha256")
    .update(`quay-schema-v1\n${lines.join("\n")}\n`)
    .digest("hex");
}

function splitLine(line: string): [key: string, value: string] {
  const at = line.indexOf(SEPARATOR);
  return at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + SEPARATOR.length)];
}

/** Tables every one of whose expected columns is absent: reported once, as a missing table. */
function missingTables(expected: Map<string, string>, actual: Map<string, string>): Set<string> {
  const tables = new Set<string>();
  for (const key of expected.keys()) {
    const m = /^column ([^.]+)\./.exec(key);
    if (m?.[1] !== undefined) tables.add(m[1]);
  }
  const present = new Set<string>();
  for (const key of actual.keys()) {
    const m = /^column ([^.]+)\./.exec(key);
    if (m?.[1] !== undefined) present.add(m[1]);
  }
  return new Set([...tables].filter((t) => !present.has(t)));
}

function tableOf(key: string): string | undefined {
  return (
    /^(?:column|foreign key) ([^.]+)\./.exec(key)?.[1] ?? /^(?:unique key|id sequence) (\S+)/.exec(key)?.[1]
  );
}

/**
 * What differs between a database's lines and a supported schema's, one sentence each: what was expected
 * and what was found. Empty when they are equal.
 */
export function schemaDifferences(actual: SchemaLines, expected: SchemaLines): string[] {
  const want = new Map(expected.map(splitLine));
  const have = new Map(actual.map(splitLine));
  const gone = missingTables(want, have);
  const out: string[] = [...gone].sort().map((table) => `table ${table}: missing`);
  for (const [key, value] of want) {
    const table = tableOf(key);
    if (table !== undefined && gone.has(table)) continue;
    const found = have.get(key);
    if (found === undefined) out.push(`${key}: missing (expected ${value})`);
    else if (found !== value) out.push(`${key}: expected ${value}, found ${found}`);
  }
  for (const [key, value] of have) {
    if (!want.has(key)) out.push(`${key}: not expected (found ${value})`);
  }
  return out;
}
