import { loadavg } from "node:os";
import pg from "pg";
import type { WorkloadSummary } from "../lib/latency-summary.js";
import {
  contendedCount,
  jsonLogLines,
  shareWithinTarget,
  throttledFraction,
  throttleReasons,
  type LiveBackfill,
} from "../lib/live-result.js";
import { parseRunLog } from "../lib/parse-run-log.js";
import { throttleSeen } from "../lib/throttle-seen.js";
import { passMetrics } from "../lib/pass-metrics.js";
import type { WorkloadOptions } from "../lib/workload-options.js";
import { runWorkload } from "./app-workload.js";
import { runChild } from "./backfill-child.js";

/**
 * Every throttle threshold out of reach: the backfill never holds back (phase c). An empty value is the
 * variable's default (src/config.ts), so the default phase sets them empty against the caller's shell.
 */
export function throttleEnv(throttling: LiveBackfill["throttling"], niceRatio = 0): Record<string, string> {
  const off = throttling === "off";
  return {
    BACKFILL_MAX_REPLICA_LAG_SECONDS: off ? "1000000000" : "",
    BACKFILL_CRITICAL_REPLICA_LAG_SECONDS: off ? "1000000000" : "",
    BACKFILL_MAX_TRANSACTION_AGE_SECONDS: off ? "1000000000" : "",
    BACKFILL_MAX_LOCK_WAITERS: off ? "1000000000" : "",
    BACKFILL_MAX_CONNECTION_USE: off ? "1" : "",
    BACKFILL_MAX_VACUUMS: "",
    BACKFILL_MAX_PROBE_LATENCY_MS: off ? "off" : "",
    BACKFILL_THROTTLE_QUERY: "",
    BACKFILL_THROTTLE_URL: "",
    BACKFILL_NICE_RATIO: throttling === "nice" ? String(niceRatio) : "",
    // The nice phase rests by its fixed ratio alone, to compare with the pacer's.
    BACKFILL_PACING: throttling === "default" ? "" : "off",
  };
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, application_name: "backfill-bench" });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Resolves once the database has a running backfill run (its batches are cut); false if `done` first. */
async function runStarted(url: string, done: () => boolean): Promise<boolean> {
  while (!done()) {
    const rows = await query<{ n: number }>(
      url,
      "SELECT count(*)::int AS n FROM backfill.run WHERE status = 'running'",
    ).catch(() => [{ n: 0 }]);
    if ((rows[0]?.n ?? 0) > 0) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

export interface UnderLoad {
  workload: WorkloadSummary;
  backfill: LiveBackfill;
  loadAvgAtStart: number[];
}

/**
 * `backfill run` on `url` with the workload beside it from the run's start to the child's exit, then the
 * run's measurements from its log and its row.
 */
export async function backfillUnderWorkload(
  url: string,
  throttling: LiveBackfill["throttling"],
  child: { keyFile: string; prefix: string; targetBatchSeconds: number; cpus?: string; niceRatio?: number },
  workload: WorkloadOptions,
): Promise<UnderLoad> {
  const loadAvgAtStart = loadavg();
  let exited = false;
  const running = runChild(url, {
    alg: "RS256",
    keyFile: child.keyFile,
    prefix: child.prefix,
    env: {
      ...throttleEnv(throttling, child.niceRatio),
      BACKFILL_TARGET_BATCH_SECONDS: String(child.targetBatchSeconds),
    },
    ...(child.cpus === undefined ? {} : { cpus: child.cpus }),
  }).finally(() => {
    exited = true;
  });
  const stop = new AbortController();
  void running.finally(() => stop.abort());
  await runStarted(url, () => exited);
  // Long enough never to end before the child does: the abort ends it.
  const summary = runWorkload({ ...workload, databaseUrl: url, seconds: 86_400 }, stop.signal);
  const [outcome, measured] = await Promise.all([running, summary]);
  const log = parseRunLog(outcome.stderr);
  const lines = jsonLogLines(outcome.stderr);
  const metrics = passMetrics(log, outcome.wallMs, outcome.peakRssBytes);
  const rows = await query<{ throttled_ms: string }>(
    url,
    "SELECT throttled_ms FROM backfill.run ORDER BY created_at DESC LIMIT 1",
  );
  const throttledMs = Number(rows[0]?.throttled_ms ?? 0);
  const durations = log.batches.map((b) => b.durationMs);
  return {
    workload: measured,
    loadAvgAtStart,
    backfill: {
      throttling,
      ...(throttling === "nice" ? { niceRatio: child.niceRatio ?? 0 } : {}),
      tags: metrics.tags,
      status: metrics.status,
      runMs: metrics.runMs,
      tagsPerSec: metrics.tagsPerSec,
      throttledMs,
      throttledFraction: throttledFraction(throttledMs, metrics.runMs),
      throttleReasons: throttleReasons(lines),
      batches: durations.length,
      batchDurationsMs: durations,
      withinTargetShare: shareWithinTarget(durations, child.targetBatchSeconds * 1000),
      contended: contendedCount(lines),
      throttle: throttleSeen(lines, log.startedMs ?? Date.now() - outcome.wallMs),
    },
  };
}
