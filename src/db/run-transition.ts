import { sql, type Kysely } from "kysely";
import type { Database, RunRow, RunStatus } from "./tables.js";

export interface RunTransition {
  runId: string;
  from: readonly RunStatus[];
  to: RunStatus;
  actor: string;
  error?: string | null;
  detail?: object;
  /** Also set total_tags (when a run's batches have just been cut). */
  totalTags?: number;
}

/** The throttled stretch a transition ended: what `throttle.ended` reports. */
export interface EndedThrottle {
  reason: string;
  durationMs: number;
  totalMs: number;
}

export type TransitionedRun = RunRow & { endedThrottle?: EndedThrottle };

/**
 * Moves a run from one of `from` to `to` and records the change in backfill.run_event, in one
 * transaction; a run leaving `running` ends its throttled stretch, if any (returned as `endedThrottle`
 * so the caller logs it). Undefined when the run was not in a `from` state (someone else moved it first).
 */
export async function transitionRun(
  db: Kysely<Database>,
  t: RunTransition,
): Promise<TransitionedRun | undefined> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("backfill.run")
      .select(["status", "throttled_since", "throttled_ms", "throttle_reason"])
      .where("id", "=", t.runId)
      .forUpdate()
      .executeTakeFirst();
    if (!before || !t.from.includes(before.status)) return undefined;
    const terminal = t.to === "completed" || t.to === "failed" || t.to === "cancelled";
    const terminalSql = terminal ? sql`now()` : sql`NULL`;
    const startedSql = t.to === "running" ? sql`coalesce(started_at, now())` : sql`started_at`;
    const errorSql = t.error !== undefined ? sql`${t.error}` : sql`error`;
    const totalSql = t.totalTags !== undefined ? sql`${t.totalTags}` : sql`total_tags`;
    // Leaving `running` ends a throttled stretch there and then: paused time is not counted twice
    // (the rate leaves out paused and throttled time), and a paused run is not shown as throttled.
    const throttleSql =
      before.status === "running" && t.to !== "running"
        ? sql`, throttled_ms = throttled_ms + coalesce(greatest(0,
            round(extract(epoch FROM now() - throttled_since) * 1000)), 0)::bigint,
            throttled_since = NULL, throttle_reason = NULL`
        : sql``;
    const updated = await sql<RunRow>`
      UPDATE backfill.run SET status = ${t.to}, updated_at = now(), error = ${errorSql},
        total_tags = ${totalSql}, started_at = ${startedSql}, finished_at = ${terminalSql} ${throttleSql}
      WHERE id = ${t.runId} RETURNING *
    `.execute(trx);
    const row = updated.rows[0];
    if (!row) throw new Error(`run ${t.runId} vanished while locked`);
    const ended =
      before.throttled_since !== null && row.throttled_since === null
        ? {
            reason: before.throttle_reason ?? "",
            durationMs: Number(row.throttled_ms) - Number(before.throttled_ms),
            totalMs: Number(row.throttled_ms),
          }
        : undefined;
    await trx
      .insertInto("backfill.run_event")
      .values({
        run_id: t.runId,
        from_status: before.status,
        to_status: t.to,
        actor: t.actor,
        detail: JSON.stringify(t.detail ?? {}),
      })
      .execute();
    return ended ? { ...row, endedThrottle: ended } : row;
  });
}
