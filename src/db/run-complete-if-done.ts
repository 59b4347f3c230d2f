import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";
import { transitionRun, type TransitionedRun } from "./run-transition.js";

/**
 * Ends a running run once none of its batches is pending or running: `completed`, or `failed` naming the
 * failed batches. Many workers may call it at once; the transition's row lock lets exactly one of them
 * win, and it gets the row (the others get undefined).
 */
export async function completeRunIfDone(
  db: Kysely<Database>,
  runId: string,
  actor: string,
): Promise<TransitionedRun | undefined> {
  const open = await sql<{ open: number; failed: number; first_error: string | null }>`
    SELECT count(*) FILTER (WHERE status IN ('pending', 'running'))::int AS open,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           (SELECT error FROM backfill.batch f WHERE f.run_id = ${runId} AND f.status = 'failed'
              ORDER BY seq LIMIT 1) AS first_error
    FROM backfill.batch WHERE run_id = ${runId}
  `.execute(db);
  const row = open.rows[0];
  if (!row || row.open > 0) return undefined;
  if (row.failed > 0) {
    const error = `${row.failed} batch(es) failed after their retries; first error: ${row.first_error ?? "unknown"}`;
    return transitionRun(db, { runId, from: ["running"], to: "failed", actor, error });
  }
  return transitionRun(db, { runId, from: ["running"], to: "completed", actor, error: null });
}
