import type { VariableSpec } from "./config-variable.js";

/** What the start-up schema check does with a Quay schema it does not know (docs/operating.md). */
export type SchemaCheckMode = "enforce" | "warn" | "off";

export function schemaCheckVariables(): Record<string, VariableSpec<"schemaCheck">> {
  return {
    BACKFILL_SCHEMA_CHECK: {
      key: "schemaCheck",
      schema: { enum: ["enforce", "warn", "off"] },
      expected:
        "enforce (an unknown Quay schema stops the command), warn (log it and go on) or off (no check)",
      parse: (raw) => raw.trim().toLowerCase(),
      fallback: "enforce",
    },
  };
}

const OTHER_DATABASES = /^(mysql|mysqlx|mariadb|mysql2|mysql\+[a-z0-9]+|mariadb\+[a-z0-9]+):\/\//i;

/**
 * A DATABASE_URL of MySQL or MariaDB (where some Quay deployments keep their database) named as such:
 * the backfill's SQL is PostgreSQL's, so no setting makes it work there.
 */
export function unsupportedDatabaseProblem(raw: string): string | undefined {
  if (!OTHER_DATABASES.test(raw.trim())) return undefined;
  return "a MySQL/MariaDB URL: only PostgreSQL is supported (Quay on MySQL or MariaDB cannot be backfilled with this tool)";
}
