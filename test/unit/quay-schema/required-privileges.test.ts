import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  PRIVILEGE_USES,
  requiredPrivileges,
  type PrivilegeUse,
  type TablePrivilege,
} from "../../../src/quay-schema/required-privileges.js";
import { USED_SCHEMA, USED_TABLES } from "../../../src/quay-schema/used-schema.js";
import { REPO_ROOT } from "../../support/repo-root.js";

const DB_DIR = path.join(REPO_ROOT, "src", "db");

/** The source without comments: a comment's "the UPDATE serialises" is not a statement. */
function code(file: string): string {
  return readFileSync(path.join(DB_DIR, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
}

/** Every `table privilege` the statements of these src/db files need to change rows (temporary tables aside). */
function statementTargets(files: readonly string[]): Set<string> {
  const patterns: [RegExp, TablePrivilege][] = [
    [/INSERT INTO\s+([a-z_][a-z_.]*)/g, "INSERT"],
    [/\bUPDATE\s+([a-z_][a-z_.]*)/g, "UPDATE"],
    [/DELETE FROM\s+([a-z_][a-z_.]*)/g, "DELETE"],
    [/\.insertInto\("([a-z_.]+)"\)/g, "INSERT"],
    [/\.updateTable\("([a-z_.]+)"\)/g, "UPDATE"],
    [/\.deleteFrom\("([a-z_.]+)"\)/g, "DELETE"],
  ];
  const found = new Set<string>();
  for (const file of files) {
    const text = code(file);
    for (const [pattern, privilege] of patterns) {
      for (const m of text.matchAll(pattern)) {
        const table = m[1] ?? "";
        if (!table.startsWith("pg_temp.")) found.add(`${table} ${privilege}`);
      }
    }
  }
  return found;
}

/** `table privilege` for every privilege the uses require. */
function granted(uses: readonly PrivilegeUse[]): Set<string> {
  return new Set(requiredPrivileges(uses).tables.flatMap((t) => t.privileges.map((p) => `${t.table} ${p}`)));
}

const dbFiles = readdirSync(DB_DIR).filter((f) => f.endsWith(".ts"));
const isRepair = (f: string) => f.startsWith("write-repair-") || f === "write-delete-unused-manifest.ts";
/** What a batch writes (the seed's writers belong to `backfill seed`, not to a run). */
const writeFiles = dbFiles.filter(
  (f) => f.startsWith("write-") && !f.startsWith("write-seed-") && !isRepair(f),
);
const repairFiles = dbFiles.filter(isRepair);
/** The ledger's statements: cutting, claiming, finishing batches; creating, moving and tuning runs. */
const ledgerFiles = dbFiles.filter((f) => /^(batch|run)-/.test(f));

describe("the privileges each use needs, against the statements that need them", () => {
  test("the source readers see the statements (a check over nothing would pass)", () => {
    const writes = statementTargets(writeFiles);
    for (const seen of ["manifest INSERT", "manifestblob INSERT", "tag INSERT", "image INSERT"]) {
      assert.ok(writes.has(seen), `${seen} not found in ${writeFiles.join(", ")}`);
    }
    assert.ok(statementTargets(repairFiles).has("manifest DELETE"));
    assert.ok(statementTargets(ledgerFiles).has("backfill.batch DELETE"));
  });

  test("every table the write path inserts into (src/db/write-*.ts) is granted to `write`", () => {
    const missing = [...statementTargets(writeFiles)].filter((t) => !granted(["write"]).has(t));
    assert.deepEqual(missing, []);
  });

  test("every Quay table used-schema.ts marks written needs INSERT under `write`", () => {
    const written = USED_TABLES.filter((t) => USED_SCHEMA[t]?.written === true);
    assert.ok(written.length >= 10);
    assert.deepEqual(
      written.filter((t) => !granted(["write"]).has(`${t} INSERT`)),
      [],
    );
  });

  test("every update and delete of reprocess --force (write-repair-*.ts, write-delete-unused-manifest.ts) is granted to `repair`", () => {
    const missing = [...statementTargets(repairFiles)].filter((t) => !granted(["repair"]).has(t));
    assert.deepEqual(missing, []);
  });

  test("every row change of the ledger (src/db/batch-*.ts, run-*.ts) is granted to `ledger`", () => {
    const targets = statementTargets(ledgerFiles);
    assert.ok(targets.size >= 5, [...targets].join(", "));
    assert.deepEqual(
      [...targets].filter((t) => !granted(["ledger"]).has(t)),
      [],
    );
  });

  test("`read` is SELECT on every Quay table the backfill uses and on the tag outcomes, and nothing else", () => {
    const read = requiredPrivileges(["read"]);
    assert.deepEqual(
      read.tables.map((t) => t.table),
      [...USED_TABLES, "backfill.tag_outcome"].sort(),
    );
    for (const t of read.tables) assert.deepEqual(t.privileges, ["SELECT"], t.table);
    assert.equal(read.temporary, false);
    assert.deepEqual(read.sequences, []);
    assert.deepEqual(read.schemas, ["backfill"]);
  });

  test("`write` needs TEMPORARY (the COPY scratch tables) and the id sequence of each table it inserts into", () => {
    const run = requiredPrivileges(["read", "ledger", "write"]);
    assert.equal(run.temporary, true);
    assert.equal(requiredPrivileges(["read", "ledger"]).temporary, false);
    assert.deepEqual(
      run.sequences,
      run.tables.filter((t) => t.privileges.includes("INSERT")).map((t) => t.table),
    );
    assert.ok(run.sequences.includes("image") && run.sequences.includes("backfill.run"));
    assert.deepEqual(
      run.tables.find((t) => t.table === "manifest")?.privileges,
      ["SELECT", "INSERT"],
      "UPDATE and DELETE are repair's",
    );
  });

  test("uses combine: each table once, its privileges in one order; more uses never need less", () => {
    const all = requiredPrivileges(PRIVILEGE_USES);
    assert.deepEqual(all.tables.find((t) => t.table === "manifest")?.privileges, [
      "SELECT",
      "INSERT",
      "UPDATE",
      "DELETE",
    ]);
    assert.equal(new Set(all.tables.map((t) => t.table)).size, all.tables.length);
    const fewer = granted(["read", "ledger", "write"]);
    const more = granted(PRIVILEGE_USES);
    assert.deepEqual(
      [...fewer].filter((t) => !more.has(t)),
      [],
    );
  });
});
