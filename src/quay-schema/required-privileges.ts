import { USED_TABLES } from "./used-schema.js";

/** Table privileges the backfill's statements need (PostgreSQL's names). */
export type TablePrivilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE";

/**
 * What a command does with the database, for the privileges it needs: `read` Quay's tables and the tag
 * outcomes (verify, explain, every command); `ledger` the run, batch and run-event rows of the `backfill`
 * schema (run, worker, reprocess, also in a dry run); `write` the rows a batch maps tags with, through
 * COPY into temporary tables; `repair` what `reprocess --force` changes and deletes.
 */
export type PrivilegeUse = "read" | "ledger" | "write" | "repair";

export const PRIVILEGE_USES: readonly PrivilegeUse[] = ["read", "ledger", "write", "repair"];

type UsePrivileges = Readonly<Partial<Record<PrivilegeUse, readonly TablePrivilege[]>>>;

/**
 * Each table's privileges per use, after the statements in src/db: the write-*.ts inserts (and the
 * write-repair-*.ts and write-delete-unused-manifest.ts updates, deletes and its FOR UPDATE, which needs
 * UPDATE), the ledger's batch-*.ts and run-*.ts (the adaptive re-cut deletes pending batches; FOR UPDATE
 * locks run rows). `ON CONFLICT … DO UPDATE` needs UPDATE; RETURNING and conflict targets need SELECT,
 * which `read` gives. Quay's tables not named here are read only (USED_TABLES).
 */
const WRITTEN: Readonly<Record<string, UsePrivileges>> = {
  image: { write: ["INSERT"] },
  manifest: { write: ["INSERT"], repair: ["UPDATE", "DELETE"] },
  manifestblob: { write: ["INSERT"], repair: ["DELETE"] },
  manifestlegacyimage: { write: ["INSERT"], repair: ["DELETE"] },
  manifestlabel: { write: ["INSERT"], repair: ["INSERT", "DELETE"] },
  tagmanifestlabelmap: { write: ["INSERT"], repair: ["UPDATE"] },
  tagmanifesttomanifest: { write: ["INSERT"], repair: ["UPDATE"] },
  tagmanifest: { write: ["INSERT"], repair: ["UPDATE"] },
  tagtorepositorytag: { write: ["INSERT"] },
  tag: { write: ["INSERT"], repair: ["UPDATE"] },
  "backfill.run": { ledger: ["SELECT", "INSERT", "UPDATE"] },
  "backfill.batch": { ledger: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
  "backfill.run_event": { ledger: ["SELECT", "INSERT"] },
  "backfill.throttle_switch": { ledger: ["SELECT"] },
  "backfill.tag_outcome": { read: ["SELECT"], write: ["INSERT", "UPDATE"] },
};

/** Every table's privileges per use: Quay's used tables are read, plus what WRITTEN adds. */
export const TABLE_PRIVILEGES: Readonly<Record<string, UsePrivileges>> = {
  ...Object.fromEntries(USED_TABLES.map((table) => [table, { read: ["SELECT"] }])),
  ...Object.fromEntries(
    Object.entries(WRITTEN).map(([table, uses]) => [
      table,
      USED_TABLES.includes(table) ? { ...uses, read: ["SELECT", ...(uses.read ?? [])] } : uses,
    ]),
  ),
};

export interface TableRequirement {
  /** As the statements name it: Quay's unqualified (the search path resolves it), ours `backfill.*`. */
  readonly table: string;
  readonly privileges: readonly TablePrivilege[];
}

/** What a command's role must hold, for the uses given. */
export interface PrivilegeRequirements {
  /** TEMPORARY on the database: a batch's COPY goes into `CREATE TEMP TABLE … ON COMMIT DROP` tables. */
  readonly temporary: boolean;
  /** USAGE on these schemas (the qualified tables'). */
  readonly schemas: readonly string[];
  readonly tables: readonly TableRequirement[];
  /** Tables inserted into: USAGE on the sequence their `id` draws from (a serial default, `allocateIds`). */
  readonly sequences: readonly string[];
}

const PRIVILEGE_ORDER: readonly TablePrivilege[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

/** The privileges the uses need, tables sorted by name, each table's privileges in one order. */
export function requiredPrivileges(uses: readonly PrivilegeUse[]): PrivilegeRequirements {
  const tables: TableRequirement[] = [];
  for (const table of Object.keys(TABLE_PRIVILEGES).sort()) {
    const byUse = TABLE_PRIVILEGES[table] ?? {};
    const wanted = new Set(uses.flatMap((use) => byUse[use] ?? []));
    if (wanted.size > 0) tables.push({ table, privileges: PRIVILEGE_ORDER.filter((p) => wanted.has(p)) });
  }
  const schemas = [
    ...new Set(tables.flatMap((t) => (t.table.includes(".") ? [t.table.split(".")[0] ?? ""] : []))),
  ];
  return {
    temporary: uses.includes("write"),
    schemas: schemas.sort(),
    tables,
    sequences: tables.filter((t) => t.privileges.includes("INSERT")).map((t) => t.table),
  };
}
