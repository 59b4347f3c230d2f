import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** A run's batches by state and the tags the done ones covered, by outcome and reason. */
export interface BatchProgress {
  batches: { pending: number; running: number; done: number; failed: number; total: number };
  tags: { backfilled: number; backfilled_broken: number; skipped: number; failed: number; done: number };
  byReason: Record<string, number>;
  /** Dry runs: rows a real run would insert, by table, over the done batches. */
  wouldWrite: Record<string, number>;
  /** Sum of the done batches' timings, for the summary. */
  timings: { loadMs: number; planMs: number; signMs: number; writeMs: number; queries: number };
  firstError: string | null;
}

/** One aggregate over the run's batch rows (a few thousand at most); no per-tag rows are read. */
export async function batchProgress(db: Kysely<Database>, runId: string): Promise<BatchProgress> {
  const result = await sql<{
    pending: number;
    running: number;
    done: number;
    failed: number;
    backfilled: number;
    backfilled_broken: number;
    skipped: number;
    hidden: number;
    failed_tags: number;
    load_ms: number;
    plan_ms: number;
    sign_ms: number;
    write_ms: number;
    queries: number;
    by_reason: Record<string, number> | null;
    would_write: Record<string, number> | null;
    first_error: string | null;
  }>`
    SELECT
      count(*) FILTER (WHERE status = 'pending')::int AS pending,
      count(*) FILTER (WHERE status = 'running')::int AS running,
      count(*) FILTER (WHERE status = 'done')::int AS done,
      count(*) FILTER (WHERE status = 'failed')::int AS failed,
      coalesce(sum((counts->>'backfilled')::int), 0)::int AS backfilled,
      coalesce(sum((counts->>'backfilled_broken')::int), 0)::int AS backfilled_broken,
      coalesce(sum((counts->>'skipped')::int), 0)::int AS skipped,
      coalesce(sum(coalesce((counts->'byReason'->>'hidden')::int, 0)
        + coalesce((counts->'byReason'->>'already_mapped')::int, 0)), 0)::int AS hidden,
      coalesce(sum((counts->>'failed')::int), 0)::int AS failed_tags,
      coalesce(sum((timings->>'loadMs')::float8), 0)::float8 AS load_ms,
      coalesce(sum((timings->>'planMs')::float8), 0)::float8 AS plan_ms,
      coalesce(sum((timings->>'signMs')::float8), 0)::float8 AS sign_ms,
      coalesce(sum((timings->>'writeMs')::float8), 0)::float8 AS write_ms,
      coalesce(sum((timings->>'queries')::int), 0)::int AS queries,
      (SELECT jsonb_object_agg(reason, n) FROM (
         SELECT r.key AS reason, sum(r.value::int) AS n
         FROM backfill.batch b2, jsonb_each_text(coalesce(b2.counts->'byReason', '{}'::jsonb)) r
         WHERE b2.run_id = ${runId} AND b2.status = 'done' GROUP BY r.key) x) AS by_reason,
      (SELECT jsonb_object_agg(tbl, n) FROM (
         SELECT w.key AS tbl, sum(w.value::int) AS n
         FROM backfill.batch b4, jsonb_each_text(coalesce(b4.counts->'wouldWrite', '{}'::jsonb)) w
         WHERE b4.run_id = ${runId} AND b4.status = 'done' GROUP BY w.key) y) AS would_write,
      (SELECT error FROM backfill.batch b3 WHERE b3.run_id = ${runId} AND b3.status = 'failed'
         ORDER BY seq LIMIT 1) AS first_error
    FROM backfill.batch WHERE run_id = ${runId}
  `.execute(db);
  const r = result.rows[0];
  if (!r) throw new Error("aggregate returned no row");
  const tags = {
    backfilled: r.backfilled,
    backfilled_broken: r.backfilled_broken,
    skipped: r.skipped,
    failed: r.failed_tags,
    // Hidden and already-mapped tags inside a batch's range are reported as skipped but were not candidates.
    done: r.backfilled + r.backfilled_broken + r.skipped - r.hidden + r.failed_tags,
  };
  return {
    batches: {
      pending: r.pending,
      running: r.running,
      done: r.done,
      failed: r.failed,
      total: r.pending + r.running + r.done + r.failed,
    },
    tags,
    byReason: r.by_reason ?? {},
    wouldWrite: r.would_write ?? {},
    timings: {
      loadMs: r.load_ms,
      planMs: r.plan_ms,
      signMs: r.sign_ms,
      writeMs: r.write_ms,
      queries: r.queries,
    },
    firstError: r.first_error,
  };
}
