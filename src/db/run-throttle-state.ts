import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * Records that the run is held back and why. Returns true only for the caller that started the throttled
 * stretch (so one worker logs `throttle.started`); a changed reason is stored without starting a new one.
 * A run no longer running (paused meanwhile) starts none: leaving `running` ended its stretch.
 */
export async function startRunThrottle(
  db: Kysely<Database>,
  runId: string,
  reason: string,
): Promise<boolean> {
  const result = await sql<{ started: boolean }>`
    UPDATE backfill.run r SET throttle_reason = ${reason},
      throttled_since = coalesce(old.throttled_since, now())
    FROM (SELECT id, throttled_since FROM backfill.run WHERE id = ${runId} AND status = 'running' FOR UPDATE) old
    WHERE r.id = old.id AND r.throttle_reason IS DISTINCT FROM ${reason}
    RETURNING old.throttled_since IS NULL AS started`.execute(db);
  return result.rows[0]?.started ?? false;
}

/** A throttled stretch that ended: its last reason, how long it lasted and the run's throttled total. */
export interface EndedThrottle {
  reason: string;
  durationMs: number;
  totalMs: number;
}

/** Ends the run's throttled stretch and adds it to the total; undefined when it was not throttled. */
export async function endRunThrottle(
  db: Kysely<Database>,
  runId: string,
): Promise<EndedThrottle | undefined> {
  const result = await sql<{ reason: string | null; durationMs: string; totalMs: string }>`
    UPDATE backfill.run r SET throttle_reason = NULL, throttled_since = NULL,
      throttled_ms = r.throttled_ms + greatest(0, round(extract(epoch FROM now() - old.throttled_since) * 1000))
    FROM (SELECT id, throttled_since, throttle_reason FROM backfill.run
          WHERE id = ${runId} AND throttled_since IS NOT NULL FOR UPDATE) old
    WHERE r.id = old.id
    RETURNING old.throttle_reason AS reason,
      greatest(0, round(extract(epoch FROM now() - old.throttled_since) * 1000))::bigint AS "durationMs",
      r.throttled_ms AS "totalMs"`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return { reason: row.reason ?? "", durationMs: Number(row.durationMs), totalMs: Number(row.totalMs) };
}
