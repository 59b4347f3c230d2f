import type { JsonObject, JsonValue } from "./json-value.js";
import { JsonSyntaxError, MAX_DEPTH, Parser } from "./python-json-parser.js";

const TOP_KEYS: ReadonlySet<string> = new Set(["id", "parent", "created", "Size", "container_config"]);
const CONFIG_KEYS: ReadonlySet<string> = new Set(["Cmd", "Image"]);

/**
 * Reads v1 metadata the way parsePythonJson does, accepting and refusing exactly the same texts, but
 * keeps only what the id rewrite and the pull check look at: `id, parent, created, Size` and
 * `container_config.{Cmd, Image}`. Everything else is validated and skipped without building values:
 * this runs for every layer of every tag, and building Env lists and label maps nobody reads was a
 * large share of the per-tag cost besides the signature. A layer that must be rewritten is parsed in
 * full again (rewrite-image-ids.ts).
 */
export function parseV1Summary(text: string): JsonValue {
  const parser = new SummaryParser(text);
  parser.skipSpace();
  const value = parser.summary();
  parser.skipSpace();
  if (parser.pos !== text.length) throw new JsonSyntaxError("extra data", parser.pos);
  return value;
}

class SummaryParser extends Parser {
  summary(): JsonValue {
    if (this.text.charCodeAt(this.pos) !== 0x7b) return this.value(0);
    return this.selected(TOP_KEYS, 1);
  }

  /** An object keeping only `keep` (a repeated key: first position, last value, as in Python). */
  private selected(keep: ReadonlySet<string>, depth: number): JsonObject {
    const result: JsonObject = new Map();
    this.members(depth, (key) => {
      if (!keep.has(key)) return this.skip(depth);
      const nested =
        key === "container_config" && keep === TOP_KEYS && this.text.charCodeAt(this.pos) === 0x7b;
      result.set(key, nested ? this.selected(CONFIG_KEYS, depth + 1) : this.value(depth));
    });
    return result;
  }

  private skip(depth: number): void {
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22) this.skipString();
    else if (c === 0x7b) this.members(depth + 1, () => this.skip(depth + 1));
    else if (c === 0x5b) this.skipArray(depth + 1);
    else this.value(depth); // a number or literal: small, and the full parser's rules apply
  }

  /** Walks `{ "key": value, ... }`, calling `onValue` with the scanner at each value. */
  private members(depth: number, onValue: (key: string) => void): void {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError("nesting too deep", this.pos);
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return;
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
      onValue(key);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return;
      if (c !== 0x2c) throw new JsonSyntaxError("expecting ',' delimiter", this.pos - 1);
      this.skipSpace();
    }
  }

  private skipArray(depth: number): void {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError("nesting too deep", this.pos);
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skip(depth);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return;
      if (c !== 0x2c) throw new JsonSyntaxError("expecting ',' delimiter", this.pos - 1);
      this.skipSpace();
    }
  }

  /** Validates a string as `string()` does, without building it. */
  private skipString(): void {
    const text = this.text;
    const start = this.pos;
    let pos = start + 1;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (Number.isNaN(c)) throw new JsonSyntaxError("unterminated string", start);
      if (c < 0x20) throw new JsonSyntaxError("invalid control character", pos);
      if (c === 0x5c) {
        this.escape(pos);
        pos += text.charCodeAt(pos + 1) === 0x75 ? 6 : 2;
      } else {
        pos++;
      }
    }
    this.pos = pos + 1;
  }
}
