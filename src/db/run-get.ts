import type { Kysely } from "kysely";
import type { Database, RunRow } from "./tables.js";

export async function getRun(db: Kysely<Database>, runId: string): Promise<RunRow | undefined> {
  if (!/^\d+$/.test(runId)) return undefined;
  return db.selectFrom("backfill.run").selectAll().where("id", "=", runId).executeTakeFirst();
}
