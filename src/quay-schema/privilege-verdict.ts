import type { PrivilegeRequirements, TablePrivilege } from "./required-privileges.js";

/**
 * What the catalog says of the role and the required objects it found (src/db/load-privilege-facts.ts).
 * Names ending in `Ident` and `qualified` are quoted as SQL needs them (quote_ident), ready for a GRANT.
 */
export interface PrivilegeFacts {
  readonly role: string;
  readonly roleIdent: string;
  readonly databaseIdent: string;
  readonly temporary: boolean;
  /** The required schemas that exist, with whether the role may use them. */
  readonly schemas: readonly { readonly name: string; readonly ident: string; readonly usage: boolean }[];
  /** One row per required table that exists and privilege asked. */
  readonly tables: readonly {
    readonly table: string;
    readonly qualified: string;
    readonly privilege: TablePrivilege;
    readonly granted: boolean;
  }[];
  /** The `id` sequence of each required table that has one. */
  readonly sequences: readonly {
    readonly table: string;
    readonly qualified: string;
    readonly granted: boolean;
  }[];
}

/** One object and what the role lacks on it. */
export interface MissingPrivilege {
  readonly kind: "database" | "schema" | "table" | "sequence";
  /** Quoted as in a GRANT. */
  readonly object: string;
  readonly privileges: readonly string[];
}

export type PrivilegeVerdict =
  | { readonly kind: "granted"; readonly role: string; readonly absent: readonly string[] }
  | {
      readonly kind: "missing";
      readonly role: string;
      readonly absent: readonly string[];
      readonly missing: readonly MissingPrivilege[];
      /** The statements that grant what is missing, fewest first: tables lacking the same privileges share one. */
      readonly grants: readonly string[];
    };

/**
 * The requirements against the facts. A required table or schema the catalog does not have is left out
 * (`absent`): the schema check, or the command's own "run `backfill migrate`", says what to do about it.
 */
export function evaluatePrivileges(required: PrivilegeRequirements, facts: PrivilegeFacts): PrivilegeVerdict {
  const missing: MissingPrivilege[] = [];
  if (required.temporary && !facts.temporary) {
    missing.push({ kind: "database", object: facts.databaseIdent, privileges: ["TEMPORARY"] });
  }
  const absent: string[] = [];
  for (const name of required.schemas) {
    const schema = facts.schemas.find((s) => s.name === name);
    if (schema === undefined) absent.push(`schema ${name}`);
    else if (!schema.usage) missing.push({ kind: "schema", object: schema.ident, privileges: ["USAGE"] });
  }
  for (const { table, privileges } of required.tables) {
    const rows = facts.tables.filter((row) => row.table === table);
    if (rows.length === 0) {
      absent.push(`table ${table}`);
      continue;
    }
    const lacking = privileges.filter((p) => rows.some((row) => row.privilege === p && !row.granted));
    const object = rows[0]?.qualified ?? table;
    if (lacking.length > 0) missing.push({ kind: "table", object, privileges: lacking });
  }
  for (const table of required.sequences) {
    const sequence = facts.sequences.find((s) => s.table === table);
    if (sequence !== undefined && !sequence.granted) {
      missing.push({ kind: "sequence", object: sequence.qualified, privileges: ["USAGE"] });
    }
  }
  if (missing.length === 0) return { kind: "granted", role: facts.role, absent };
  return {
    kind: "missing",
    role: facts.role,
    absent,
    missing,
    grants: grantStatements(missing, facts.roleIdent),
  };
}

const GRANT_OBJECT: Readonly<Record<MissingPrivilege["kind"], string>> = {
  database: "DATABASE ",
  schema: "SCHEMA ",
  table: "",
  sequence: "SEQUENCE ",
};

/** Objects of one kind that lack the same privileges: one GRANT, one clause of the refusal. */
interface MissingGroup {
  readonly kind: MissingPrivilege["kind"];
  readonly privileges: string;
  readonly objects: string[];
}

function groupMissing(missing: readonly MissingPrivilege[]): MissingGroup[] {
  const groups = new Map<string, MissingGroup>();
  for (const m of missing) {
    const privileges = m.privileges.join(", ");
    const key = `${m.kind} ${privileges}`;
    const group = groups.get(key) ?? { kind: m.kind, privileges, objects: [] };
    group.objects.push(m.object);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** One GRANT per kind and privilege list, naming every object that lacks exactly those. */
function grantStatements(missing: readonly MissingPrivilege[], roleIdent: string): string[] {
  return groupMissing(missing).map(
    (g) => `GRANT ${g.privileges} ON ${GRANT_OBJECT[g.kind]}${g.objects.join(", ")} TO ${roleIdent}`,
  );
}

/** `INSERT, UPDATE on table public.manifest`: what one object lacks, in words (a log line's entry). */
export function describeMissing(m: MissingPrivilege): string {
  return `${m.privileges.join(", ")} on ${m.kind} ${m.object}`;
}

/**
 * The refusal's one line: the role, everything it lacks (objects that lack the same privileges named
 * together, as their GRANT names them), and the GRANT statements that fix it.
 */
export function missingPrivilegesMessage(verdict: Extract<PrivilegeVerdict, { kind: "missing" }>): string {
  const lacks = groupMissing(verdict.missing).map(
    (g) => `${g.privileges} on ${g.kind}${g.objects.length > 1 ? "s" : ""} ${g.objects.join(", ")}`,
  );
  return (
    `the database role ${verdict.role} lacks privileges this command needs: ${lacks.join("; ")}` +
    `; grant them as their owner or a superuser: ${verdict.grants.map((g) => `${g};`).join(" ")} see docs/operating.md`
  );
}
