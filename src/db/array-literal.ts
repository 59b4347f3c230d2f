/**
 * PostgreSQL array literals for the batch writes' `unnest($n::int[], …)` parameters, built in one pass over
 * the rows. Handing pg a JavaScript array instead makes it quote and regex-escape every element and allocate
 * a mapped array per column first: for ~3,000 `manifestblob` rows a batch, that is most of the parameter
 * encoding and a good part of its garbage. The literal is the same text pg would have sent.
 */
/** An int[]/bigint[] literal; a bigint id may come as its decimal text, as pg returns it. */
export function intArray<T>(rows: readonly T[], pick: (row: T) => number | string | null): string {
  let out = "{";
  for (let i = 0; i < rows.length; i++) {
    const value = pick(rows[i] as T);
    if (i > 0) out += ",";
    out += value === null ? "NULL" : String(value);
  }
  return out + "}";
}

/** A boolean[] literal, one element per row. */
export function boolArray<T>(rows: readonly T[], pick: (row: T) => boolean): string {
  let out = "{";
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) out += ",";
    out += pick(rows[i] as T) ? "t" : "f";
  }
  return out + "}";
}

/** A text[] literal: every element double-quoted with `\` and `"` escaped, as pg itself writes them. */
export function textArray<T>(rows: readonly T[], pick: (row: T) => string | null): string {
  let out = "{";
  for (let i = 0; i < rows.length; i++) {
    const value = pick(rows[i] as T);
    if (i > 0) out += ",";
    out += value === null ? "NULL" : `"${value.replace(/[\\"]/g, "\\$&")}"`;
  }
  return out + "}";
}
