import type { Kysely, Selectable } from "kysely";
import type { Database, RunEventTable } from "./tables.js";

/** A run's state changes, oldest first: the audit trail `status --run` shows. */
export async function listRunEvents(
  db: Kysely<Database>,
  runId: string,
): Promise<Selectable<RunEventTable>[]> {
  return db.selectFrom("backfill.run_event").selectAll().where("run_id", "=", runId).orderBy("id").execute();
}
