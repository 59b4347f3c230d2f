import type { JsonValue } from "./json-value.js";
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
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) throw new JsonSyntaxError("extra data", parser.pos);
  return { value, members: parser.members };
}

class TopLevelParser extends Parser {
  readonly members: TopLevelMember[] = [];

  /** The top-level object's members are the ones at depth 1 (value(0) opens it as object(1)). */
  protected override memberEnd(key: string, depth: number): void {
    if (depth === 1) this.members.push({ key, end: this.pos });
  }
}
