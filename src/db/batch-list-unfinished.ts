import type { Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * Ids of a run's batches that are not done (pending, running, and with `includeFailed` failed too): what a
 * resume puts back on the queue. Ids only, ordered, so a million-tag run costs a few kilobytes.
 */
export async function listUnfinishedBatches(
  db: Kysely<Database>,
  runId: string,
  options: { includeFailed?: boolean } = {},
): Promise<string[]> {
  const states = options.includeFailed ? ["pending", "running", "failed"] : ["pending", "running"];
  const rows = await db
    .selectFrom("backfill.batch")
    .select("id")
    .where("run_id", "=", runId)
    .where("status", "in", states as ("pending" | "running" | "failed")[])
    .orderBy("seq")
    .execute();
  return rows.map((r) => String(r.id));
}
