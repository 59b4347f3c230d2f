import type { Kysely } from "kysely";
import type { Database, RunRow } from "./tables.js";

/** The most recent runs, newest first. */
export async function listRuns(db: Kysely<Database>, limit = 20): Promise<RunRow[]> {
  return db.selectFrom("backfill.run").selectAll().orderBy("id", "desc").limit(limit).execute();
}
