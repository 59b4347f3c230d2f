import type { Kysely } from "kysely";
import type { Database } from "./tables.js";

/** Ids of the runs whose batches workers should be processing now (status running), oldest first. */
export async function listRunningRunIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom("backfill.run")
    .select("id")
    .where("status", "=", "running")
    .orderBy("id")
    .execute();
  return rows.map((r) => String(r.id));
}
