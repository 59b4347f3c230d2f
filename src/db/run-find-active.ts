import type { Kysely } from "kysely";
import type { Database, RunRow } from "./tables.js";

/** The active (pending, running or paused) run of a target, if any; the unique index allows one. */
export async function findActiveRun(db: Kysely<Database>, target: string): Promise<RunRow | undefined> {
  return db
    .selectFrom("backfill.run")
    .selectAll()
    .where("target", "=", target)
    .where("status", "in", ["pending", "running", "paused"])
    .executeTakeFirst();
}
