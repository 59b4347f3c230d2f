/**
 * A JSON value as Python's `json.loads` sees it, kept so that `json.dumps` can print it back exactly.
 * `JSON.parse` cannot do this: it rounds integers beyond 2^53, forgets whether `1.0` was a float, and
 * moves a duplicate key to its last position. Python keeps the first position and the last value, and so
 * does a `Map`.
 */
export type JsonValue = null | boolean | string | PyInt | PyFloat | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A Python `int`: exact at any size, held as its canonical decimal text (`-0` is `0`). */
export class PyInt {
  readonly text: string;
  constructor(text: string) {
    this.text = text === "-0" ? "0" : text;
  }
  /** The value as a JS number, rounded when beyond 2^53; use `text` when exactness matters. */
  toNumber(): number {
    return Number(this.text);
  }
}

/** A Python `float`: a lexeme with `.` or an exponent; printed back with Python's `repr`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value instanceof Map;
}

/** Converts to plain JS values (for schema validation and display); numbers may lose precision. */
export function toPlain(value: JsonValue): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (value instanceof PyInt) return value.toNumber();
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [key, item] of value) {
    // A plain assignment of "__proto__" would change the prototype instead of adding a key.
    Object.defineProperty(out, key, {
      value: toPlain(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Whether two values are the same JSON: keys in any order; an int and a float differ, as they print differently. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a instanceof PyInt) return b instanceof PyInt && a.text === b.text;
  if (a instanceof PyFloat) return b instanceof PyFloat && Object.is(a.value, b.value);
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b) || a.size !== b.size) return false;
    for (const [key, item] of a) if (!b.has(key) || !jsonEqual(item, b.get(key))) return false;
    return true;
  }
  return false;
}
