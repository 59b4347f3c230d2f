import { PyFloat, PyInt, type JsonValue } from "./json-value.js";
import { pythonFloatRepr } from "./python-float-repr.js";

/**
 * What the writer accepts: parsed values, plus JS numbers (an integral number prints as a Python int,
 * any other as a float) and plain objects for fixed shapes we build ourselves. Plain objects print in
 * `Object.keys` order, which puts integer-like keys first: use a Map for keys that come from data.
 */
export type Writable =
  | JsonValue
  | number
  | readonly Writable[]
  | ReadonlyMap<string, Writable>
  | { readonly [key: string]: Writable };

/** Python `json.dumps` arguments, always with `ensure_ascii=True`. */
export interface DumpOptions {
  /** `indent=N`: newlines and N spaces per level. */
  indent?: number;
  /** Defaults as Python's: `","` with an indent, `", "` without. */
  itemSeparator?: string;
  keySeparator?: string;
  /** `sort_keys=True`: by code point, as Python compares `str`. */
  sortKeys?: boolean;
}

/** Current Quay's manifest layout: `json.dumps(payload, indent=3, ensure_ascii=True)`. */
export const MANIFEST_LAYOUT: DumpOptions = Object.freeze({ indent: 3 });
/** Quay's `to_canonical_json`: `sort_keys=True, separators=(",", ":")`. */
export const CANONICAL_LAYOUT: DumpOptions = Object.freeze({
  sortKeys: true,
  itemSeparator: ",",
  keySeparator: ":",
});

/** Prints `value` byte for byte as Python 3's `json.dumps(value, ensure_ascii=True, **options)`. */
export function pythonJsonDumps(value: Writable, options: DumpOptions = {}): string {
  const indent = options.indent;
  const writer: WriterState = {
    indent: indent === undefined ? undefined : " ".repeat(indent),
    itemSeparator: options.itemSeparator ?? (indent === undefined ? ", " : ","),
    keySeparator: options.keySeparator ?? ": ",
    sortKeys: options.sortKeys ?? false,
  };
  // Pieces joined once at the end: concatenating as we go builds a rope per level, which costs more in
  // garbage collection than the escaping itself on large documents.
  const out: string[] = [];
  write(writer, value, "", out);
  return out.join("");
}

interface WriterState {
  indent: string | undefined;
  itemSeparator: string;
  keySeparator: string;
  sortKeys: boolean;
}

function write(state: WriterState, value: Writable, outer: string, out: string[]): void {
  if (value === null) out.push("null");
  else if (typeof value === "string") out.push(quotePythonString(value));
  else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (typeof value === "number") out.push(writeNumber(value));
  else if (value instanceof PyInt) out.push(value.text);
  else if (value instanceof PyFloat) out.push(pythonFloatRepr(value.value));
  else if (isArray(value)) writeArray(state, value, outer, out);
  else writeObject(state, isMap(value) ? value : Object.entries(value), outer, out);
}

function writeArray(state: WriterState, value: readonly Writable[], outer: string, out: string[]): void {
  if (value.length === 0) {
    out.push("[]");
    return;
  }
  const inner = state.indent === undefined ? outer : outer + state.indent;
  const open = state.indent === undefined ? "" : `\n${inner}`;
  const separator = state.itemSeparator + open;
  out.push("[" + open);
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out.push(separator);
    write(state, value[i] as Writable, inner, out);
  }
  out.push(state.indent === undefined ? "]" : `\n${outer}]`);
}

function writeObject(
  state: WriterState,
  value: ReadonlyMap<string, Writable> | [string, Writable][],
  outer: string,
  out: string[],
): void {
  const size = Array.isArray(value) ? value.length : value.size;
  if (size === 0) {
    out.push("{}");
    return;
  }
  const entries = state.sortKeys ? [...value].sort((a, b) => compareCodePoints(a[0], b[0])) : value;
  const inner = state.indent === undefined ? outer : outer + state.indent;
  const open = state.indent === undefined ? "" : `\n${inner}`;
  const separator = state.itemSeparator + open;
  out.push("{" + open);
  let first = true;
  for (const [key, item] of entries) {
    if (!first) out.push(separator);
    first = false;
    out.push(quotePythonString(key) + state.keySeparator);
    write(state, item, inner, out);
  }
  out.push(state.indent === undefined ? "}" : `\n${outer}}`);
}

function isArray(value: unknown): value is readonly Writable[] {
  return Array.isArray(value);
}

function isMap(value: object): value is ReadonlyMap<string, Writable> {
  return value instanceof Map;
}

function writeNumber(value: number): string {
  if (!Number.isInteger(value)) return pythonFloatRepr(value);
  return Object.is(value, -0) ? "0" : bigIntText(value);
}

function bigIntText(value: number): string {
  // String(1e21) is "1e+21"; Python prints an int's every digit.
  return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
}

const NON_ASCII = /[\u007f-\uffff]/;

/**
 * A JSON string literal as Python writes it with `ensure_ascii=True`. JSON.stringify already escapes
 * exactly as Python does below 0x20 (short forms, else lower-case `\u00XX`), `"`, `\` and lone surrogates;
 * what remains is 0x7F and everything above ASCII, one UTF-16 unit at a time, which yields surrogate pairs
 * for astral characters as Python does. Those are escaped in one pass over the units from the first one
 * (a regexp replace with a callback costs several times more on non-Latin text).
 */
export function quotePythonString(value: string): string {
  const quoted = JSON.stringify(value);
  const first = quoted.search(NON_ASCII);
  if (first < 0) return quoted;
  let out = quoted.slice(0, first);
  let run = first;
  for (let i = first; i < quoted.length; i++) {
    const unit = quoted.charCodeAt(i);
    if (unit < 0x7f) continue;
    if (run < i) out += quoted.slice(run, i);
    out += escapeUnit(unit);
    run = i + 1;
  }
  return run < quoted.length ? out + quoted.slice(run) : out;
}

/**
 * `quotePythonString(value).length` without building it: every unit above 0x7E and every control
 * character but the five with short forms is a 6-character escape, `"` and `\\` take 2.
 */
export function quotedPythonLength(value: string): number {
  let length = value.length + 2;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0x20 && unit < 0x7f) {
      if (unit === 0x22 || unit === 0x5c) length += 1;
    } else if (unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d) {
      length += 1;
    } else {
      length += 5;
    }
  }
  return length;
}

// Text in one language repeats the same few characters; their escapes are worth remembering.
const ESCAPES = new Map<number, string>();

function escapeUnit(unit: number): string {
  let escaped = ESCAPES.get(unit);
  if (escaped === undefined) {
    escaped = "\\u" + unit.toString(16).padStart(4, "0");
    if (ESCAPES.size < 4096) ESCAPES.set(unit, escaped);
  }
  return escaped;
}

/** Python's `str` ordering: by code point, which differs from UTF-16 order only above U+D7FF. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return compareSlow(a, b);
  }
  return a.length - b.length;
}

function compareSlow(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const y = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
