import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** A manual throttle switch that is on: for one run, or for all (`runId` null). */
export interface ThrottleSwitch {
  runId: string | null;
  reason: string | null;
  actor: string;
  setAt: Date;
}

/** Every switch that is on (a small table: one row per switched run, one global). */
export async function listThrottleSwitches(db: Kysely<Database>): Promise<ThrottleSwitch[]> {
  const result = await sql<ThrottleSwitch>`
    SELECT run_id::text AS "runId", reason, actor, set_at AS "setAt" FROM backfill.throttle_switch`.execute(
    db,
  );
  return result.rows;
}

/** Turns a switch on (replacing its reason) or off; returns whether it was on before. */
export async function setThrottleSwitch(
  db: Kysely<Database>,
  input: { runId: string | null; on: boolean; actor: string; reason?: string | undefined },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await sql`
      DELETE FROM backfill.throttle_switch WHERE coalesce(run_id, 0) = coalesce(${input.runId}::bigint, 0)`.execute(
      trx,
    );
    if (input.on) {
      await sql`
        INSERT INTO backfill.throttle_switch (run_id, reason, actor)
        VALUES (${input.runId}::bigint, ${input.reason ?? null}, ${input.actor})`.execute(trx);
    }
    return Number(removed.numAffectedRows ?? 0) > 0;
  });
}
