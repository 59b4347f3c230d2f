import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  evaluatePrivileges,
  missingPrivilegesMessage,
  type PrivilegeFacts,
} from "../../../src/quay-schema/privilege-verdict.js";
import type { PrivilegeRequirements } from "../../../src/quay-schema/required-privileges.js";

/** A small world: read `repository`, write `manifest` and `user`, the ledger's `backfill.run`. */
const REQUIRED: PrivilegeRequirements = {
  temporary: true,
  schemas: ["backfill"],
  tables: [
    { table: "backfill.run", privileges: ["SELECT", "INSERT", "UPDATE"] },
    { table: "manifest", privileges: ["SELECT", "INSERT"] },
    { table: "repository", privileges: ["SELECT"] },
    { table: "user", privileges: ["SELECT", "INSERT"] },
  ],
  sequences: ["backfill.run", "manifest", "user"],
};

/** Everything granted, unless `lacking` names `table privilege`, `sequence table`, `schema backfill` or `temporary`. */
function facts(lacking: readonly string[] = [], leftOut: readonly string[] = []): PrivilegeFacts {
  const qualified = (t: string) => (t.includes(".") ? t : t === "user" ? 'public."user"' : `public.${t}`);
  return {
    role: "Backfill Role",
    roleIdent: '"Backfill Role"',
    databaseIdent: "quay",
    temporary: !lacking.includes("temporary"),
    schemas: leftOut.includes("backfill")
      ? []
      : [{ name: "backfill", ident: "backfill", usage: !lacking.includes("schema backfill") }],
    tables: REQUIRED.tables
      .filter((t) => !leftOut.includes(t.table))
      .flatMap((t) =>
        t.privileges.map((privilege) => ({
          table: t.table,
          qualified: qualified(t.table),
          privilege,
          granted: !lacking.includes(`${t.table} ${privilege}`),
        })),
      ),
    sequences: REQUIRED.sequences
      .filter((t) => !leftOut.includes(t))
      .map((t) => ({
        table: t,
        qualified: `${qualified(t).replace(/"/g, "")}_id_seq`,
        granted: !lacking.includes(`sequence ${t}`),
      })),
  };
}

describe("evaluatePrivileges: what the role lacks, and the GRANTs that fix it", () => {
  test("everything held: granted", () => {
    assert.deepEqual(evaluatePrivileges(REQUIRED, facts()), {
      kind: "granted",
      role: "Backfill Role",
      absent: [],
    });
  });

  test("no TEMPORARY and no INSERT on one table: both named, one GRANT each, the role quoted as SQL needs", () => {
    const verdict = evaluatePrivileges(REQUIRED, facts(["temporary", "manifest INSERT"]));
    assert.equal(verdict.kind, "missing");
    if (verdict.kind !== "missing") return;
    assert.deepEqual(verdict.missing, [
      { kind: "database", object: "quay", privileges: ["TEMPORARY"] },
      { kind: "table", object: "public.manifest", privileges: ["INSERT"] },
    ]);
    assert.deepEqual(verdict.grants, [
      'GRANT TEMPORARY ON DATABASE quay TO "Backfill Role"',
      'GRANT INSERT ON public.manifest TO "Backfill Role"',
    ]);
    assert.equal(
      missingPrivilegesMessage(verdict),
      "the database role Backfill Role lacks privileges this command needs: TEMPORARY on database quay; " +
        "INSERT on table public.manifest; grant them as their owner or a superuser: " +
        'GRANT TEMPORARY ON DATABASE quay TO "Backfill Role"; GRANT INSERT ON public.manifest TO "Backfill Role"; ' +
        "see docs/operating.md",
    );
  });

  test("tables lacking the same privileges share one GRANT; a table's several privileges stay together", () => {
    const verdict = evaluatePrivileges(
      REQUIRED,
      facts([
        "manifest INSERT",
        "user INSERT",
        "backfill.run INSERT",
        "backfill.run UPDATE",
        "sequence manifest",
        "sequence user",
        "schema backfill",
      ]),
    );
    assert.equal(verdict.kind, "missing");
    if (verdict.kind !== "missing") return;
    assert.deepEqual(verdict.grants, [
      'GRANT USAGE ON SCHEMA backfill TO "Backfill Role"',
      'GRANT INSERT, UPDATE ON backfill.run TO "Backfill Role"',
      'GRANT INSERT ON public.manifest, public."user" TO "Backfill Role"',
      'GRANT USAGE ON SEQUENCE public.manifest_id_seq, public.user_id_seq TO "Backfill Role"',
    ]);
    assert.match(
      missingPrivilegesMessage(verdict),
      /: USAGE on schema backfill; INSERT, UPDATE on table backfill\.run; INSERT on tables public\.manifest, public\."user"; USAGE on sequences public\.manifest_id_seq, public\.user_id_seq; grant them /,
    );
    assert.deepEqual(
      verdict.missing.filter((m) => m.kind === "table").map((m) => m.object),
      ["backfill.run", "public.manifest", 'public."user"'],
      "each object on its own for the log",
    );
  });

  test("a required table or schema that is not there is left to the schema check, not called a missing privilege", () => {
    const verdict = evaluatePrivileges(
      REQUIRED,
      facts(["repository SELECT"], ["user", "backfill", "backfill.run"]),
    );
    assert.equal(verdict.kind, "missing");
    assert.deepEqual(verdict.absent, ["schema backfill", "table backfill.run", "table user"]);
    if (verdict.kind === "missing") {
      assert.deepEqual(verdict.grants, ['GRANT SELECT ON public.repository TO "Backfill Role"']);
    }
    assert.equal(evaluatePrivileges(REQUIRED, facts([], ["user"])).kind, "granted");
  });

  test("a table without an id sequence needs none; TEMPORARY only when required", () => {
    const readOnly: PrivilegeRequirements = { ...REQUIRED, temporary: false, sequences: [] };
    assert.equal(evaluatePrivileges(readOnly, facts(["temporary", "sequence manifest"])).kind, "granted");
    const noSequence = { ...facts(), sequences: [] };
    assert.equal(evaluatePrivileges(REQUIRED, noSequence).kind, "granted");
  });
});
