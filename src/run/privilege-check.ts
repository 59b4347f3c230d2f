import type { Kysely } from "kysely";
import { loadPrivilegeFacts } from "../db/load-privilege-facts.js";
import type { Database } from "../db/tables.js";
import { UsageError } from "../errors.js";
import { logEvent } from "../log-events/log-event.js";
import type { Logger } from "../log.js";
import {
  describeMissing,
  evaluatePrivileges,
  missingPrivilegesMessage,
  type PrivilegeVerdict,
} from "../quay-schema/privilege-verdict.js";
import { requiredPrivileges, type PrivilegeUse } from "../quay-schema/required-privileges.js";

/** The database role lacks a privilege the command needs: exit 2, a grant to make, like a setting to fix. */
export class MissingPrivilegesError extends UsageError {}

/**
 * Whether the session's role holds what the command's uses need (src/quay-schema/required-privileges.ts),
 * in one catalog query, before any batch: without it every batch would fail on its own permission error.
 * Missing: logged with every privilege and GRANT, and MissingPrivilegesError with the same in one line.
 */
export async function checkPrivileges(
  db: Kysely<Database>,
  logger: Logger,
  uses: readonly PrivilegeUse[],
): Promise<PrivilegeVerdict> {
  const required = requiredPrivileges(uses);
  const verdict = evaluatePrivileges(required, await loadPrivilegeFacts(db, required));
  const base = { role: verdict.role, uses: [...uses], absent: [...verdict.absent] };
  if (verdict.kind === "granted") {
    logEvent(
      logger,
      "info",
      "privileges.checked",
      { ...base, outcome: "granted" },
      "database privileges held",
    );
    return verdict;
  }
  const fields = {
    ...base,
    outcome: "missing" as const,
    missing: verdict.missing.map(describeMissing),
    grants: [...verdict.grants],
  };
  logEvent(logger, "error", "privileges.checked", fields, "database privileges missing");
  throw new MissingPrivilegesError(missingPrivilegesMessage(verdict));
}
