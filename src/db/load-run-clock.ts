import type { Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One state change of a run, as backfill.run_event records it. */
export interface RunClockEvent {
  atMs: number;
  to: string;
}

/** A run's state changes, oldest first, as the clock the rate is measured on. */
export async function loadRunClock(db: Kysely<Database>, runId: string): Promise<RunClockEvent[]> {
  const rows = await db
    .selectFrom("backfill.run_event")
    .select(["at", "to_status"])
    .where("run_id", "=", runId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ atMs: new Date(r.at as unknown as Date).getTime(), to: r.to_status }));
}
