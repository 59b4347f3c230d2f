import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** Whether any worker is serving a run: batches under a live lease, and when one was last claimed or settled. */
export interface RunLiveness {
  liveLeases: number;
  /** Seconds since a batch of the run was last claimed or finished; null when none ever was. */
  idleSeconds: number | null;
}

export async function runLiveness(db: Kysely<Database>, runId: string): Promise<RunLiveness> {
  const result = await sql<{ live_leases: number; idle_seconds: number | null }>`
    SELECT count(*) FILTER (WHERE status = 'running' AND lease_expires_at > now())::int AS live_leases,
      extract(epoch FROM now() - greatest(max(started_at), max(finished_at)))::float8 AS idle_seconds
    FROM backfill.batch WHERE run_id = ${runId}`.execute(db);
  const row = result.rows[0];
  return { liveLeases: row?.live_leases ?? 0, idleSeconds: row?.idle_seconds ?? null };
}
