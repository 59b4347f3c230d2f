import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** The advisory-lock class of `repositorytag` ids, so our locks never meet another application's. */
const LOCK_CLASS = 0x42464c31; // "BFL1"

/**
 * One statement: transaction-scoped advisory locks on the batch's `repositorytag` ids, taken in id order
 * so two overlapping batches cannot deadlock. After it returns, a batch that mapped any of these tags has
 * committed, and the next statement sees its rows: the tag states are read again (loadTagStates) before
 * anything is written. Quay's own workers do not take these locks; ON CONFLICT and the mapping's unique
 * index still guard against them.
 */
export async function lockRepositoryTags(db: Kysely<Database>, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  // The ordered subquery is not flattened (it has ORDER BY and OFFSET), so the locks follow its order.
  await sql`
    SELECT count(pg_advisory_xact_lock(${LOCK_CLASS}::int, s.id))
      FROM (SELECT id FROM unnest(${sorted}::int[]) AS u(id) ORDER BY id OFFSET 0) AS s`.execute(db);
}
