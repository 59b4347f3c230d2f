import type { JsonObject, JsonValue } from "./json-value.js";
import { JsonSyntaxError, Parser } from "./python-json-parser.js";

/** One member of the top-level object: its key, and the text offset just after its value. */
export interface TopLevelMember {
  key: string;
  end: number;
}

/**
 * parsePythonJson, plus where each top-level member ends. A signed schema1 payload is a prefix of the
 * document closed by its tail; knowing the member boundaries tells which members the payload holds
 * without parsing the payload a second time (see parse-schema1.ts).
 */
export function parseTopLevel(text: string): { value: JsonValue; members: TopLevelMember[] } {
  const parser = new TopLevelParser(text);
  parser.skipSpace();
  const members: TopLevelMember[] = [];
  const value = parser.top(members);
  parser.skipSpace();
  if (parser.pos !== text.length) throw new JsonSyntaxError("extra data", parser.pos);
  return { value, members };
}

class TopLevelParser extends Parser {
  /** The document's value; for an object, the same walk as Parser.object, recording member ends. */
  top(members: TopLevelMember[]): JsonValue {
    if (this.text.charCodeAt(this.pos) !== 0x7b) return this.value(0);
    const result: JsonObject = new Map();
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) {
        throw new JsonSyntaxError("expecting property name enclosed in double quotes", this.pos);
      }
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) throw new JsonSyntaxError("expecting ':'", this.pos);
      this.pos++;
      this.skipSpace();
      result.set(key, this.value(1));
      members.push({ key, end: this.pos });
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return result;
      if (c !== 0x2c) throw new JsonSyntaxError("expecting ',' delimiter", this.pos - 1);
      this.skipSpace();
    }
  }
}
