import { PyFloat, PyInt, type JsonObject, type JsonValue } from "./json-value.js";

/** The text is not JSON as Python's `json.loads` reads it. Carries the offset, never the text itself. */
export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at offset ${position}`);
  }
}

// Python's C scanner stops at its recursion limit; a JS call stack would overflow somewhat later, so stop
// at the same order of magnitude with a typed error instead of a RangeError.
export const MAX_DEPTH = 1000;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Parses JSON exactly as Python 3's `json.loads` does (strict mode): NaN/Infinity accepted, control
 * characters in strings refused, duplicate keys keep their first position and last value, integers exact.
 */
export function parsePythonJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) throw new JsonSyntaxError("extra data", parser.pos);
  return value;
}

/** The scanner behind parsePythonJson, open to v1-summary.ts which reads only part of a document. */
export class Parser {
  pos = 0;
  constructor(protected readonly text: string) {}

  skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
    this.pos = pos;
  }

  value(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x22: // "
        return this.string();
      case 0x7b: // {
        return this.object(depth + 1);
      case 0x5b: // [
        return this.array(depth + 1);
      case 0x74: // t
        return this.literal("true", true);
      case 0x66: // f
        return this.literal("false", false);
      case 0x6e: // n
        return this.literal("null", null);
      case 0x4e: // N
        return this.literal("NaN", new PyFloat(NaN));
      case 0x49: // I
        return this.literal("Infinity", new PyFloat(Infinity));
      default:
        if (c === 0x2d && this.text.startsWith("-Infinity", this.pos)) {
          return this.literal("-Infinity", new PyFloat(-Infinity));
        }
        return this.number();
    }
  }

  protected literal(word: string, result: JsonValue): JsonValue {
    if (!this.text.startsWith(word, this.pos)) throw new JsonSyntaxError("expecting value", this.pos);
    this.pos += word.length;
    return result;
  }

  protected number(): JsonValue {
    // Hand-scanned (a sticky regex allocates a match per number): -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === 0x2d) pos++;
    const first = text.charCodeAt(pos);
    if (first === 0x30) pos++;
    else if (first >= 0x31 && first <= 0x39) pos = digitsEnd(text, pos + 1);
    else throw new JsonSyntaxError("expecting value", start);
    let isFloat = false;
    if (text.charCodeAt(pos) === 0x2e && isDigit(text.charCodeAt(pos + 1))) {
      pos = digitsEnd(text, pos + 2);
      isFloat = true;
    }
    const e = text.charCodeAt(pos);
    if (e === 0x65 || e === 0x45) {
      let next = pos + 1;
      const sign = text.charCodeAt(next);
      if (sign === 0x2b || sign === 0x2d) next++;
      if (isDigit(text.charCodeAt(next))) {
        pos = digitsEnd(text, next + 1);
        isFloat = true;
      }
    }
    this.pos = pos;
    const lexeme = text.slice(start, pos);
    return isFloat ? new PyFloat(Number(lexeme)) : new PyInt(lexeme);
  }

  protected string(): string {
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    // Fast path: no escapes, which is nearly every key and most values.
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        this.pos = pos + 1;
        return text.slice(start, pos);
      }
      if (c === 0x5c || c < 0x20 || Number.isNaN(c)) break;
      pos++;
    }
    let out = text.slice(start, pos);
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) throw new JsonSyntaxError("unterminated string", start - 1);
      if (c === 0x22) break;
      if (c < 0x20) throw new JsonSyntaxError("invalid control character", pos);
      if (c !== 0x5c) {
        const next = nextSpecial(text, pos);
        out += text.slice(pos, next);
        pos = next;
        continue;
      }
      out += this.escape(pos);
      pos += text.charCodeAt(pos + 1) === 0x75 ? 6 : 2;
    }
    this.pos = pos + 1;
    return out;
  }

  protected escape(pos: number): string {
    const e = this.text[pos + 1] ?? "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return simple;
    if (e !== "u") throw new JsonSyntaxError("invalid escape", pos);
    const hex = this.text.slice(pos + 2, pos + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError("invalid \\uXXXX escape", pos);
    // A lone surrogate stays a lone code unit, as it stays a lone code point in Python.
    return String.fromCharCode(parseInt(hex, 16));
  }

  /** Called after each object member's value, at the offset just past it; a subclass may record it. */
  protected memberEnd(_key: string, _depth: number): void {}

  protected object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError("nesting too deep", this.pos);
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
      // Map.set keeps a repeated key where it first appeared and takes the new value: Python's dict.
      result.set(key, this.value(depth));
      this.memberEnd(key, depth);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return result;
      if (c !== 0x2c) throw new JsonSyntaxError("expecting ',' delimiter", this.pos - 1);
      this.skipSpace();
    }
  }

  protected array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError("nesting too deep", this.pos);
    const result: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth));
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return result;
      if (c !== 0x2c) throw new JsonSyntaxError("expecting ',' delimiter", this.pos - 1);
      this.skipSpace();
    }
  }
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function digitsEnd(text: string, pos: number): number {
  let i = pos;
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** Offset of the next quote, backslash or control character at or after `pos` (or the end). */
export function nextSpecial(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || Number.isNaN(c)) return i;
    i++;
  }
}
