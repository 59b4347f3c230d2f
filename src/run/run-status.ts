import type { Kysely } from "kysely";
import { batchProgress } from "../db/batch-progress.js";
import { loadRunClock } from "../db/load-run-clock.js";
import { registryCoverage, type RegistryCoverage } from "../db/registry-coverage.js";
import { listRunEvents } from "../db/run-events-list.js";
import { getRun } from "../db/run-get.js";
import { listRuns } from "../db/run-list.js";
import { runLiveness } from "../db/run-liveness.js";
import type { Database, RunRow } from "../db/tables.js";
import { estimateRun } from "./run-rate.js";
import { runReport, type RunReport } from "./run-report.js";
import { noWorker } from "./worker-presence.js";

/** Why a run is held back now, since when, and its throttled time so far (this stretch included). */
export interface RunThrottle {
  reason: string | null;
  since: Date | null;
  totalMs: number;
}

/** A run as `status` shows it: its report, whether any worker serves it, and its throttle. */
export type StatusRun = RunReport & { noWorker: boolean; throttle: RunThrottle };

/** One state change of the run's audit trail. */
export interface HistoryLine {
  at: Date | string;
  from: string | null;
  to: string;
  actor: string;
  detail: Record<string, unknown> | null;
}

/** What the run sets for itself (`run --window`, `backfill tune`); null when it keeps the defaults. */
export interface RunSettings {
  /** `22:00-06:00 Europe/Berlin` */
  window: string | null;
  maxReplicaLagS: number | null;
  niceRatio: number | null;
}

/** One run in detail: who started it, with which settings, and every state change. */
export type RunStatusDetail = StatusRun & {
  startedBy: unknown;
  config: unknown;
  settings: RunSettings;
  events: HistoryLine[];
};

/** One run with the shared rate (run-rate.ts) and whether a worker serves it. */
export async function statusRun(db: Kysely<Database>, run: RunRow): Promise<StatusRun> {
  const runId = String(run.id);
  const progress = await batchProgress(db, runId);
  const clock = await loadRunClock(db, runId);
  const now = Date.now();
  const throttle = runThrottle(run, now);
  const estimate = estimateRun(run.total_tags, progress.tags, clock, now, throttle.totalMs);
  const since = clock.at(-1)?.atMs ?? now;
  // A throttled run claims nothing on purpose: that is not a missing worker.
  const idle =
    throttle.since === null && noWorker(run.status, await runLiveness(db, runId), (now - since) / 1000);
  const report = { ...runReport(run, progress, estimate), throttle };
  // Without a worker there is no rate to speak of and no ETA.
  return idle ? { ...report, etaMs: null, noWorker: true } : { ...report, noWorker: false };
}

/** The run's throttle now: its reason and start, and its throttled time with the current stretch counted. */
export function runThrottle(run: RunRow, now: number): RunThrottle {
  const since = run.throttled_since === null ? null : new Date(run.throttled_since as unknown as Date);
  const current = since === null ? 0 : Math.max(0, now - since.getTime());
  return { reason: run.throttle_reason, since, totalMs: Number(run.throttled_ms) + current };
}

/** The registry's coverage and the newest `limit` runs. */
export async function statusList(
  db: Kysely<Database>,
  limit: number,
): Promise<{ coverage: RegistryCoverage; runs: StatusRun[] }> {
  const runs = await Promise.all((await listRuns(db, limit)).map((run) => statusRun(db, run)));
  return { coverage: await registryCoverage(db), runs };
}

/** One run in detail, or undefined when there is no such run. */
export async function runStatusDetail(
  db: Kysely<Database>,
  runId: string,
): Promise<RunStatusDetail | undefined> {
  const run = await getRun(db, runId);
  if (!run) return undefined;
  const events = await listRunEvents(db, String(run.id));
  return {
    ...(await statusRun(db, run)),
    startedBy: run.started_by,
    config: run.config,
    settings: {
      window: run.time_window === null ? null : `${run.time_window} ${run.time_zone ?? "UTC"}`,
      maxReplicaLagS: run.max_replica_lag_s,
      niceRatio: run.nice_ratio,
    },
    events: events.map((e) => ({
      at: e.at as unknown as Date,
      from: e.from_status,
      to: e.to_status,
      actor: e.actor,
      detail: (e.detail ?? null) as Record<string, unknown> | null,
    })),
  };
}
