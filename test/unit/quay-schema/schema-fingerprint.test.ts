import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  normaliseSchema,
  schemaDifferences,
  schemaFingerprint,
  type SchemaFacts,
} from "../../../src/quay-schema/schema-fingerprint.js";
import { matchSchema, SUPPORTED_SCHEMAS } from "../../../src/quay-schema/supported-schemas.js";
import type { UsedTable } from "../../../src/quay-schema/used-schema.js";

/** A two-table world: the backfill reads `a`, writes `b` (unique on b.a_id, ids from b's sequence). */
const USED: Record<string, UsedTable> = {
  a: { columns: ["id", "name"] },
  b: { columns: ["id", "a_id"], written: true, uniqueKeys: [["a_id"]], idSequence: true },
};

function facts(change: Partial<SchemaFacts> = {}): SchemaFacts {
  return {
    columns: [
      { table: "a", column: "id", type: "integer", notNull: true, hasDefault: true },
      { table: "a", column: "name", type: "character varying(255)", notNull: true, hasDefault: false },
      { table: "b", column: "id", type: "integer", notNull: true, hasDefault: true },
      { table: "b", column: "a_id", type: "integer", notNull: true, hasDefault: false },
    ],
    foreignKeys: [{ table: "b", columns: ["a_id"], refTable: "a", refColumns: ["id"] }],
    uniqueIndexes: [
      { table: "a", columns: ["id"] },
      { table: "b", columns: ["a_id"] },
    ],
    idSequences: ["a", "b"],
    ...change,
  };
}

const BASE = normaliseSchema(facts(), USED);

describe("normaliseSchema: only what the backfill uses", () => {
  test("columns with type and nullability, foreign keys, needed unique keys, id sequences; sorted", () => {
    assert.deepEqual(BASE, [
      "column a.id: integer not null",
      "column a.name: character varying(255) not null",
      "column b.a_id: integer not null",
      "column b.id: integer not null",
      "foreign key b.a_id: references a.id",
      "id sequence b: present",
      "unique key b (a_id): present",
    ]);
  });

  test("the order of the catalog's rows does not change the lines or the fingerprint", () => {
    const f = facts();
    const shuffled = normaliseSchema(
      { ...f, columns: [...f.columns].reverse(), uniqueIndexes: [...f.uniqueIndexes].reverse() },
      USED,
    );
    assert.deepEqual(shuffled, BASE);
    assert.equal(schemaFingerprint(shuffled), schemaFingerprint(BASE));
  });

  test("an extra table, an extra nullable column and an extra unique index leave the lines as they are", () => {
    const f = facts();
    const more = normaliseSchema(
      {
        ...f,
        columns: [
          ...f.columns,
          { table: "a", column: "extra", type: "text", notNull: true, hasDefault: false },
          { table: "b", column: "note", type: "text", notNull: false, hasDefault: false },
          { table: "c", column: "id", type: "integer", notNull: true, hasDefault: false },
        ],
        uniqueIndexes: [...f.uniqueIndexes, { table: "b", columns: ["a_id", "id"] }],
        foreignKeys: [...f.foreignKeys, { table: "c", columns: ["id"], refTable: "a", refColumns: ["id"] }],
      },
      USED,
    );
    assert.deepEqual(more, BASE);
  });

  test("a NOT NULL column without a default in a written table would refuse the inserts: it shows", () => {
    const f = facts();
    const lines = normaliseSchema(
      {
        ...f,
        columns: [
          ...f.columns,
          { table: "b", column: "x", type: "integer", notNull: true, hasDefault: false },
        ],
      },
      USED,
    );
    assert.ok(
      lines.includes("column b.x (not written by the backfill): integer not null without a default"),
      lines.join("\n"),
    );
    assert.notEqual(schemaFingerprint(lines), schemaFingerprint(BASE));
  });

  test("a unique key spelled in another column order still counts; a wider one does not", () => {
    const twoCols: Record<string, UsedTable> = {
      b: { columns: ["id", "a_id"], uniqueKeys: [["id", "a_id"]] },
    };
    const f = facts({ uniqueIndexes: [{ table: "b", columns: ["a_id", "id"] }] });
    assert.ok(normaliseSchema(f, twoCols).includes("unique key b (id, a_id): present"));
    const wider = facts({ uniqueIndexes: [{ table: "b", columns: ["a_id", "id"] }] });
    assert.ok(!normaliseSchema(wider, USED).some((l) => l.startsWith("unique key")));
  });
});

describe("schemaDifferences: what differs, with what was expected", () => {
  test("equal lines: no difference", () => {
    assert.deepEqual(schemaDifferences(BASE, BASE), []);
  });

  test("a changed type, a dropped column, a lost unique key, a new foreign key", () => {
    const f = facts();
    const actual = normaliseSchema(
      {
        ...f,
        columns: f.columns
          .filter((c) => !(c.table === "a" && c.column === "name"))
          .map((c) => (c.table === "b" && c.column === "a_id" ? { ...c, type: "bigint" } : c)),
        uniqueIndexes: [],
        foreignKeys: [...f.foreignKeys, { table: "b", columns: ["id"], refTable: "a", refColumns: ["id"] }],
      },
      USED,
    );
    assert.deepEqual(schemaDifferences(actual, BASE).sort(), [
      "column a.name: missing (expected character varying(255) not null)",
      "column b.a_id: expected integer not null, found bigint not null",
      "foreign key b.id: not expected (found references a.id)",
      "unique key b (a_id): missing (expected present)",
    ]);
  });

  test("a table gone entirely is one difference, not one per column", () => {
    const f = facts();
    const actual = normaliseSchema(
      {
        ...f,
        columns: f.columns.filter((c) => c.table !== "b"),
        foreignKeys: [],
        uniqueIndexes: [],
        idSequences: ["a"],
      },
      USED,
    );
    assert.deepEqual(schemaDifferences(actual, BASE), ["table b: missing"]);
  });
});

describe("the supported schemas", () => {
  test("each stored fingerprint is the fingerprint of its stored lines, which are sorted and unique", () => {
    assert.ok(SUPPORTED_SCHEMAS.length >= 2);
    for (const schema of SUPPORTED_SCHEMAS) {
      assert.equal(schemaFingerprint(schema.lines), schema.fingerprint, schema.id);
      assert.deepEqual([...new Set(schema.lines)].sort(), schema.lines, schema.id);
    }
    assert.equal(new Set(SUPPORTED_SCHEMAS.map((s) => s.fingerprint)).size, SUPPORTED_SCHEMAS.length);
  });

  test("matchSchema: a stored schema matches itself; a changed one names the closest and the difference", () => {
    for (const schema of SUPPORTED_SCHEMAS) {
      const verdict = matchSchema(schema.lines);
      assert.equal(verdict.kind, "supported");
      assert.equal(verdict.kind === "supported" && verdict.schema.id, schema.id);
    }
    const first = SUPPORTED_SCHEMAS[0];
    assert.ok(first);
    const changed = first.lines.map((l) =>
      l.startsWith("column image.ancestors:") ? "column image.ancestors: text null" : l,
    );
    const verdict = matchSchema(changed);
    assert.equal(verdict.kind, "unknown");
    if (verdict.kind !== "unknown") return;
    assert.equal(verdict.closest.id, first.id);
    assert.deepEqual(verdict.differences, [
      "column image.ancestors: expected character varying(60535) null, found text null",
    ]);
  });

  test("matchSchema: no used table at all is 'absent', not a list of every table", () => {
    assert.equal(matchSchema([]).kind, "absent");
  });
});
