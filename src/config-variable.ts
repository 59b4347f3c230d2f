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
