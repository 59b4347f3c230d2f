import type { Kysely } from "kysely";
import type { SchemaCheckMode } from "../config-schema-check.js";
import { loadAlembicRevision, loadQuaySchemaFacts } from "../db/load-quay-schema-facts.js";
import type { Database } from "../db/tables.js";
import { UsageError } from "../errors.js";
import { logEvent } from "../log-events/log-event.js";
import type { Logger } from "../log.js";
import { normaliseSchema } from "../quay-schema/schema-fingerprint.js";
import { matchSchema, type SchemaVerdict } from "../quay-schema/supported-schemas.js";
import { USED_TABLES } from "../quay-schema/used-schema.js";

/** How many differences the one-line refusal names; the log line has them all. */
const SHOWN_DIFFERENCES = 4;

/** An unknown Quay schema under BACKFILL_SCHEMA_CHECK=enforce: exit 2, like any configuration to fix. */
export class UnknownSchemaError extends UsageError {}

/** The refusal's one line: the nearest supported schema, the first differences, and the way out. */
export function unknownSchemaMessage(verdict: Extract<SchemaVerdict, { kind: "unknown" }>): string {
  const shown = verdict.differences.slice(0, SHOWN_DIFFERENCES).join("; ");
  const more = verdict.differences.length - SHOWN_DIFFERENCES;
  return (
    `Quay's schema is not one this backfill supports (closest: ${verdict.closest.id}): ${shown}` +
    (more > 0 ? `; and ${more} more (log event schema.checked)` : "") +
    "; see docs/operating.md, or set BACKFILL_SCHEMA_CHECK=warn to go on anyway"
  );
}

/**
 * Compares Quay's tables with the supported schemas before a command touches them. Supported: logged,
 * go on. Unknown: stop (UnknownSchemaError), or under `warn` log every difference and go on. None of the
 * tables there: go on, so the command's own "run `backfill migrate`" message says what to do.
 */
export async function checkQuaySchema(
  db: Kysely<Database>,
  logger: Logger,
  mode: SchemaCheckMode,
): Promise<SchemaVerdict | undefined> {
  if (mode === "off") {
    logEvent(logger, "warn", "schema.checked", { mode, outcome: "skipped" }, "Quay schema check is off");
    return undefined;
  }
  const verdict = matchSchema(normaliseSchema(await loadQuaySchemaFacts(db, USED_TABLES)));
  const alembicRevision = verdict.kind === "absent" ? null : await loadAlembicRevision(db);
  const base = { mode, outcome: verdict.kind, fingerprint: verdict.fingerprint, alembicRevision };
  if (verdict.kind === "supported") {
    logEvent(
      logger,
      "info",
      "schema.checked",
      { ...base, schema: verdict.schema.id },
      "Quay schema supported",
    );
  } else if (verdict.kind === "absent") {
    // The command's own failure ("run `backfill migrate`") follows and says it in one line.
    logEvent(logger, "debug", "schema.checked", base, "none of Quay's tables is there");
  } else {
    const fields = { ...base, schema: verdict.closest.id, differences: [...verdict.differences] };
    const stop = mode === "enforce";
    logEvent(logger, stop ? "error" : "warn", "schema.checked", fields, "Quay schema not supported");
    if (stop) throw new UnknownSchemaError(unknownSchemaMessage(verdict));
  }
  return verdict;
}
