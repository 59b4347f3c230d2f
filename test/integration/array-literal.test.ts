import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { boolArray, intArray, textArray } from "../../src/db/array-literal.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const TEXTS: (string | null)[] = [
  "plain",
  "",
  null,
  "NULL",
  'a "quoted" word',
  "back\\slash\\",
  "{braces},commas, and spaces ",
  "ünïcödé ✓ 𝄞",
  "line\nbreak\ttab",
  '\\"',
];
const INTS: (number | string | null)[] = [0, 1, -7, 2147483647, null, 1_700_000_000_123, "9007199254740993"];

/** What PostgreSQL reads back from a parameter, as text per element so both sides compare exactly. */
async function readBack(t: TestDatabase, param: unknown, type: "text" | "bigint" | "boolean") {
  const cast = sql.raw(`${type}[]`);
  const result = await sql<{ v: string | null; n: string }>`
    SELECT u.v::text AS v, u.n::text AS n FROM unnest(${param}::${cast}) WITH ORDINALITY AS u(v, n) ORDER BY u.n`.execute(
    t.db,
  );
  return result.rows.map((row) => row.v);
}

describe("array literals for the batch writes", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("array-literal");
  });
  after(async () => {
    await t.drop();
  });

  test("text[]: PostgreSQL reads every element as pg's own array encoding gives it", async () => {
    const ours = await readBack(
      t,
      textArray(TEXTS, (v) => v),
      "text",
    );
    assert.deepEqual(ours, TEXTS);
    assert.deepEqual(ours, await readBack(t, TEXTS, "text"));
  });

  test("int[]/bigint[]: numbers, bigint ids as text and NULL read back unchanged", async () => {
    const ours = await readBack(
      t,
      intArray(INTS, (v) => v),
      "bigint",
    );
    assert.deepEqual(ours, await readBack(t, INTS, "bigint"));
    assert.deepEqual(
      ours,
      INTS.map((v) => (v === null ? null : String(v))),
    );
  });

  test("boolean[] and the empty array", async () => {
    const flags = [true, false, false, true];
    assert.deepEqual(
      await readBack(
        t,
        boolArray(flags, (v) => v),
        "boolean",
      ),
      ["true", "false", "false", "true"],
    );
    assert.deepEqual(
      await readBack(
        t,
        intArray([], (v: number) => v),
        "bigint",
      ),
      [],
    );
    assert.deepEqual(
      await readBack(
        t,
        textArray([], (v: string) => v),
        "text",
      ),
      [],
    );
  });
});
