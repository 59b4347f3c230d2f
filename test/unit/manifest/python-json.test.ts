import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PyFloat, PyInt, toPlain, type JsonValue } from "../../../src/manifest/json-value.js";
import { JsonSyntaxError, parsePythonJson } from "../../../src/manifest/python-json-parser.js";
import {
  CANONICAL_LAYOUT,
  pythonJsonDumps,
  quotedPythonLength,
  quotePythonString,
} from "../../../src/manifest/python-json-writer.js";
import { PYTHON_DUMPS_TABLE } from "./python-dumps-table.js";
import { createRandom, randomJsonValue } from "./random-json.js";

describe("Python-compatible JSON", () => {
  for (const [input, compact, indented, canonical] of PYTHON_DUMPS_TABLE) {
    it(`prints ${JSON.stringify(input)} as Python does`, () => {
      const value = parsePythonJson(input);
      assert.equal(pythonJsonDumps(value), compact);
      assert.equal(pythonJsonDumps(value, { indent: 3 }), indented);
      assert.equal(pythonJsonDumps(value, CANONICAL_LAYOUT), canonical);
    });
  }

  const refused = [
    "",
    " ",
    "01",
    "1.",
    "-",
    '"\\x"',
    '"a\tb"',
    '{"a":1,}',
    "[1,]",
    '{"a" 1}',
    "{a:1}",
    '"abc',
    "[1 2]",
    "tru",
    "nan",
    "+1",
    ".5",
    "1e",
    '"\\u12g4"',
    '{"a":1}x',
    "\ufeff{}",
    "[".repeat(1001) + "]".repeat(1001),
  ];
  for (const input of refused) {
    it(`refuses ${JSON.stringify(input.slice(0, 20))} as Python does`, () => {
      assert.throws(() => parsePythonJson(input), JsonSyntaxError);
    });
  }

  it("keeps the lexical kind of numbers", () => {
    const value = parsePythonJson("[1, 1.0, 12345678901234567890123, -0]") as JsonValue[];
    assert.ok(value[0] instanceof PyInt);
    assert.ok(value[1] instanceof PyFloat);
    assert.equal((value[2] as PyInt).text, "12345678901234567890123");
    assert.equal((value[3] as PyInt).text, "0");
  });

  it("keeps a duplicate key at its first position with its last value", () => {
    const value = parsePythonJson('{"a": 1, "b": 2, "a": 3}');
    assert.equal(pythonJsonDumps(value), '{"a": 3, "b": 2}');
  });

  it("treats __proto__ as an ordinary key", () => {
    const value = parsePythonJson('{"__proto__": {"x": 1}}');
    assert.equal(pythonJsonDumps(value), '{"__proto__": {"x": 1}}');
    assert.deepEqual(Object.keys(toPlain(value) as object), ["__proto__"]);
  });

  it("measures a quoted string without building it", () => {
    const units = [
      "a",
      '"',
      "\\",
      "\n",
      "\b",
      "\u0001",
      "\u007f",
      "é",
      "维",
      "\ud83d\ude00",
      "\ud800",
      "\u2028",
    ];
    const random = createRandom(17);
    for (let i = 0; i < 500; i++) {
      const text = Array.from(
        { length: Math.floor(random() * 40) },
        () => units[Math.floor(random() * units.length)],
      ).join("");
      assert.equal(quotedPythonLength(text), quotePythonString(text).length, JSON.stringify(text));
    }
  });

  it("round-trips random values through every layout (property)", () => {
    const random = createRandom(20240601);
    for (let i = 0; i < 500; i++) {
      const value = randomJsonValue(random, 4);
      for (const options of [{}, { indent: 3 }, CANONICAL_LAYOUT]) {
        const text = pythonJsonDumps(value, options);
        assert.match(text, /^[\x20-\x7e\n]*$/, "ensure_ascii output is printable ASCII");
        assert.equal(pythonJsonDumps(parsePythonJson(text), options), text);
      }
      // JSON.parse agrees on everything it can represent (no NaN/Infinity in the generator).
      assert.deepEqual(JSON.parse(pythonJsonDumps(value)), toPlain(value));
    }
  });
});
