/**
 * A URL the drivers can parse: a bracket left open or a port above 65535 would otherwise surface as a
 * driver's stack trace. (pg also accepts what only needs percent-encoding, hence the second try.)
 */
export function unparseableUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  for (const candidate of [value, encodeURI(value)]) {
    try {
      new URL(candidate);
      return undefined;
    } catch {
      // try the next form
    }
  }
  return "cannot be parsed as a URL: check the host (an IPv6 address goes in [brackets]) and the port (1-65535)";
}
