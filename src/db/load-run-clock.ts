import type { Kysely } from "kysely";
import type { Database } from "./tables.js";

/** A run's state changes, oldest first, as the clock the rate is measured on (src/run/run-rate.ts). */
export async function loadRunClock(
  db: Kysely<Database>,
  runId: string,
): Promise<{ atMs: number; to: string }[]> {
  const rows = await db
    .selectFrom("backfill.run_event")
    .select(["at", "to_status"])
    .where("run_id", "=", runId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ atMs: new Date(r.at as unknown as Date).getTime(), to: r.to_status }));
}
