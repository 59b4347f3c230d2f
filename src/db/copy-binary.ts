/** A column of a binary COPY: int4, int8, bool or text (sent as UTF-8, so any string round-trips exactly). */
export type CopyColumnType = "int4" | "int8" | "bool" | "text";
export type CopyValue = number | boolean | string | null;

/** "PGCOPY\n\377\r\n\0", then the flags and header-extension lengths (both 0). */
const HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
const TRAILER = Buffer.from([0xff, 0xff]);

/**
 * PostgreSQL's binary COPY format (docs: "COPY … Binary Format") for `rows`, in chunks of about
 * `chunkBytes`. Binary rather than text: no escaping of backslash, tab, newline or carriage return to get
 * wrong, and each string is encoded to UTF-8 once, straight into the chunk.
 */
export function* binaryCopyChunks(
  types: readonly CopyColumnType[],
  rows: Iterable<readonly CopyValue[]>,
  chunkBytes = 64 * 1024,
): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(chunkBytes);
  HEADER.copy(buf, 0);
  let pos = HEADER.length;
  for (const row of rows) {
    if (row.length !== types.length)
      throw new Error(`COPY row has ${row.length} values, not ${types.length}`);
    const need = rowBound(types, row);
    if (pos + need > buf.length) {
      yield buf.subarray(0, pos);
      buf = Buffer.allocUnsafe(Math.max(chunkBytes, need));
      pos = 0;
    }
    pos = writeRow(buf, pos, types, row);
  }
  if (pos + TRAILER.length > buf.length) {
    yield buf.subarray(0, pos);
    buf = Buffer.allocUnsafe(TRAILER.length);
    pos = 0;
  }
  pos += TRAILER.copy(buf, pos);
  yield buf.subarray(0, pos);
}

/** At most this many bytes for the row: a UTF-16 code unit never takes more than 3 bytes of UTF-8. */
function rowBound(types: readonly CopyColumnType[], row: readonly CopyValue[]): number {
  let n = 2;
  for (let i = 0; i < types.length; i++) {
    const value = row[i];
    n += 4 + (typeof value === "string" ? value.length * 3 : 8);
  }
  return n;
}

function writeRow(
  buf: Buffer,
  start: number,
  types: readonly CopyColumnType[],
  row: readonly CopyValue[],
): number {
  let pos = buf.writeInt16BE(types.length, start);
  for (let i = 0; i < types.length; i++) {
    const value = row[i] ?? null;
    if (value === null) {
      pos = buf.writeInt32BE(-1, pos);
      continue;
    }
    pos = writeField(buf, pos, types[i] ?? "text", value);
  }
  return pos;
}

function writeField(
  buf: Buffer,
  pos: number,
  type: CopyColumnType,
  value: number | boolean | string,
): number {
  if (type === "text") {
    // The length is known once written: write the bytes after its slot, then fill the slot in.
    const written = buf.write(String(value), pos + 4, "utf8");
    buf.writeInt32BE(written, pos);
    return pos + 4 + written;
  }
  if (type === "bool") return buf.writeUInt8(value ? 1 : 0, buf.writeInt32BE(1, pos));
  if (typeof value !== "number") throw new TypeError(`COPY ${type} column given ${typeof value}`);
  if (type === "int4") return buf.writeInt32BE(value, buf.writeInt32BE(4, pos));
  return buf.writeBigInt64BE(BigInt(value), buf.writeInt32BE(8, pos));
}
