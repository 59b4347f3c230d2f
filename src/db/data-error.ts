/**
 * Whether PostgreSQL refused a statement because of a value (SQLSTATE class 22, data exception): bytes
 * that are not valid in the client encoding, a NUL in a text parameter, a number out of range. Such an
 * error belongs to the rows involved, not to the connection or the server, so retrying cannot help.
 */
export function isDataError(err: unknown): boolean {
  if (typeof err !== "object" || err === null || !("code" in err)) return false;
  return typeof err.code === "string" && /^22[0-9A-Z]{3}$/.test(err.code);
}
