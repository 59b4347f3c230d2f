import { sql, type Kysely } from "kysely";
import type { RunFilters } from "../backfill/batch-work.js";
import { candidateCondition } from "./batch-cut.js";
import type { Database } from "./tables.js";

/**
 * Whether any tag is a candidate of a run with these filters (non-hidden, unmapped): an EXISTS that stops
 * at the first one, so a scheduler tick over a fully mapped registry costs one cheap query, not a run row.
 */
export async function hasCandidateTags(db: Kysely<Database>, filters: RunFilters): Promise<boolean> {
  const result = await sql<{ any: boolean }>`
    SELECT EXISTS (SELECT 1 FROM repositorytag rt WHERE ${candidateCondition(filters)}) AS any
  `.execute(db);
  return result.rows[0]?.any ?? false;
}
