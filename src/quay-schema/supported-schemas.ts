import data from "./supported-schemas.json" with { type: "json" };
import { schemaDifferences, schemaFingerprint, type SchemaLines } from "./schema-fingerprint.js";

/** A Quay schema version the backfill was built for: its lines, their fingerprint, the Quay versions it is. */
export interface SupportedSchema {
  readonly id: string;
  /** Which Quay releases have it, in words. */
  readonly quay: string;
  /** The range of Quay's alembic revisions (`alembic_version`) it covers. */
  readonly alembic: string;
  readonly fingerprint: string;
  readonly lines: SchemaLines;
}

/** The supported schemas, as data (supported-schemas.json); docs/operating.md lists them. */
export const SUPPORTED_SCHEMAS: readonly SupportedSchema[] = data.schemas;

export type SchemaVerdict =
  | { readonly kind: "supported"; readonly fingerprint: string; readonly schema: SupportedSchema }
  | {
      readonly kind: "unknown";
      readonly fingerprint: string;
      /** The supported schema with the fewest differences, and those differences. */
      readonly closest: SupportedSchema;
      readonly differences: readonly string[];
    }
  /** None of the tables the backfill uses exists: not a Quay database, and not migrated either. */
  | { readonly kind: "absent"; readonly fingerprint: string };

/** Which supported schema a database's lines are, or how they differ from the nearest one. */
export function matchSchema(
  lines: SchemaLines,
  supported: readonly SupportedSchema[] = SUPPORTED_SCHEMAS,
): SchemaVerdict {
  const fingerprint = schemaFingerprint(lines);
  if (!lines.some((line) => line.startsWith("column "))) return { kind: "absent", fingerprint };
  const exact = supported.find((schema) => schema.fingerprint === fingerprint);
  if (exact) return { kind: "supported", fingerprint, schema: exact };
  let best: { schema: SupportedSchema; differences: string[] } | undefined;
  for (const schema of supported) {
    const differences = schemaDifferences(lines, schema.lines);
    if (best === undefined || differences.length < best.differences.length) best = { schema, differences };
  }
  if (best === undefined) throw new Error("no supported Quay schema is listed");
  return { kind: "unknown", fingerprint, closest: best.schema, differences: best.differences };
}
