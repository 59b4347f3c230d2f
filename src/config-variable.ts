/** How one environment variable is read: the Config key it fills, its schema, and its parse. */
export interface VariableSpec<K extends string = string> {
  readonly key: K;
  readonly schema: Record<string, unknown>;
  readonly expected: string;
  readonly parse: (raw: string) => unknown;
  readonly fallback: unknown;
  /** A raw value refused before parsing, with a reason more telling than `expected`. */
  readonly refuse?: (raw: string) => string | undefined;
  /** A check the schema cannot express; returns what is wrong, in words. */
  readonly check?: (value: unknown) => string | undefined;
}

export const asInt = (raw: string): unknown => (/^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
export const asString = (raw: string): unknown => raw;
export const asNumber = (raw: string): unknown =>
  /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : raw;
export const asSecondsFloatInMs = (raw: string): unknown => {
  const value = asNumber(raw);
  return typeof value === "number" ? value * 1000 : value;
};
export const asSecondsInMs = (raw: string): unknown => {
  const value = asInt(raw);
  return typeof value === "number" ? value * 1000 : value;
};

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
