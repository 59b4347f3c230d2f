import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isJsonObject, type JsonValue } from "../../../src/manifest/json-value.js";
import { JsonSyntaxError, parsePythonJson } from "../../../src/manifest/python-json-parser.js";
import { pythonJsonDumps } from "../../../src/manifest/python-json-writer.js";
import { parseV1Summary } from "../../../src/manifest/v1-summary.js";
import { createRandom, randomJsonValue } from "./random-json.js";
import { loadSchema1Vectors } from "./vectors.js";

/** What the summary must equal: the full parse with only the kept keys. */
function expectedSummary(value: JsonValue): JsonValue {
  if (!isJsonObject(value)) return value;
  const out = new Map<string, JsonValue>();
  for (const [key, item] of value) {
    if (!["id", "parent", "created", "Size", "container_config"].includes(key)) continue;
    if (key === "container_config" && isJsonObject(item)) {
      out.set(key, new Map([...item].filter(([k]) => k === "Cmd" || k === "Image")));
    } else out.set(key, item);
  }
  return out;
}

const outcome = (parse: (text: string) => JsonValue, text: string) => {
  try {
    return pythonJsonDumps(parse(text));
  } catch (err) {
    assert.ok(err instanceof JsonSyntaxError, String(err));
    return `error at ${err.position}`;
  }
};

function assertSame(text: string): void {
  const full = outcome((t) => expectedSummary(parsePythonJson(t)), text);
  assert.equal(outcome(parseV1Summary, text), full, text.slice(0, 200));
}

describe("parseV1Summary", () => {
  it("equals the full parse, restricted, on every vector layer", () => {
    for (const { input } of loadSchema1Vectors()) {
      for (const layer of input.layers_leaf_first) assertSame(layer.v1_json ?? "{}");
    }
  });

  it("accepts and refuses exactly what the full parser does (property)", () => {
    const random = createRandom(5150);
    for (let i = 0; i < 3000; i++) {
      const value = new Map<string, JsonValue>([
        ["id", randomJsonValue(random, 1)],
        [
          "container_config",
          new Map([
            ["Cmd", randomJsonValue(random, 2)],
            ["x", randomJsonValue(random, 3)],
          ]),
        ],
        ["other", randomJsonValue(random, 4)],
        ["Size", randomJsonValue(random, 1)],
      ]);
      const text = pythonJsonDumps(value);
      assertSame(text);
      // Damage one character: both parsers must agree on the verdict and the offset.
      const at = Math.floor(random() * text.length);
      assertSame(text.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + text.slice(at + 1));
    }
  });

  for (const text of [
    "[1, 2]",
    '"x"',
    "{",
    '{"id": "a", "x": [1, {"y": "\\q"}]}',
    '{"a": {"b": [' + "[".repeat(1000) + "]",
  ]) {
    it(`agrees on ${JSON.stringify(text.slice(0, 30))}`, () => assertSame(text));
  }
});
