import type { RegistryCoverage } from "../db/registry-coverage.js";
import { formatDuration } from "../run/progress-meter.js";
import { formatRate } from "../run/run-rate.js";
import type { StatusRun } from "../run/run-status.js";
import { IDLE_AFTER_SECONDS } from "../run/worker-presence.js";
import { formatRows } from "../text-table.js";

/** Job counts by queue and state, or why Redis could not say. */
export type QueueCounts = Record<string, Record<string, number>> | { unavailable: string };

const NO_WORKER = `no worker: nothing claimed for ${IDLE_AFTER_SECONDS}s+`;

/** `1234 of 2000 non-hidden legacy tags mapped (61.7%)`. */
export function formatCoverage(c: RegistryCoverage): string {
  const pct = c.legacy > 0 ? ((c.mapped * 100) / c.legacy).toFixed(1) : "100.0";
  return `${c.mapped} of ${c.legacy} non-hidden legacy tags mapped (${pct}%)`;
}

/** The rate and ETA cells, or why there are none. */
function rateCells(r: StatusRun): [string, string] {
  if (r.noWorker) return ["-", NO_WORKER];
  const eta = r.status === "running" || r.status === "pending" ? formatDuration(r.etaMs) : "-";
  return [formatRate(r.ratePerSec), eta];
}

/** The runs table, the registry coverage and the queue counts, with column headers. */
export function formatStatusList(
  runs: readonly StatusRun[],
  coverage: RegistryCoverage,
  queues: QueueCounts,
): string {
  const lines = [`registry  ${formatCoverage(coverage)}`, ""];
  if (runs.length === 0) lines.push("no runs yet: `backfill run` starts one");
  else {
    const header = ["RUN", "KIND", "STATUS", "TARGET", "TAGS", "BROKEN", "FAILED", "RATE", "ETA"];
    const rows = runs.map((r) => [
      r.id,
      r.kind,
      r.status,
      r.target,
      `${r.tags.done}/${r.totalTags}`,
      r.tags.backfilled_broken,
      r.tags.failed,
      ...rateCells(r),
    ]);
    lines.push(...formatRows([header, ...rows]));
    for (const r of runs.filter((x) => x.noWorker)) lines.push("", noWorkerAdvice(r.id));
    for (const r of runs.filter((x) => x.throttle.since !== null)) {
      lines.push("", `run ${r.id} ${formatThrottle(r.throttle)}`);
    }
  }
  lines.push("", ...formatQueues(queues));
  return `${lines.join("\n")}\n`;
}

/** `throttled: replay lag 3.1 s > 1 s, since 12:01, 4m00s total` (or the total of a run not throttled now). */
export function formatThrottle(t: StatusRun["throttle"]): string {
  const total = `${formatDuration(t.totalMs)} total`;
  if (t.since === null) return `not throttled, ${total}`;
  const at = new Date(t.since);
  const hhmm = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
  return `throttled: ${t.reason ?? "?"}, since ${hhmm}, ${total}`;
}

export function noWorkerAdvice(runId: string): string {
  return (
    `run ${runId} is running but no worker holds or claimed one of its batches in the last ` +
    `${IDLE_AFTER_SECONDS}s: start \`backfill worker\` or \`backfill run\``
  );
}

export function formatQueues(queues: QueueCounts): string[] {
  if ("unavailable" in queues && typeof queues.unavailable === "string") {
    return [`queues    unavailable: ${queues.unavailable}`];
  }
  const entries = Object.entries(queues as Record<string, Record<string, number>>);
  const states = ["waiting", "active", "delayed", "prioritized", "completed", "failed"];
  const rows = entries.map(([name, counts]) => [name, ...states.map((s) => counts[s] ?? 0)]);
  return ["queues", ...formatRows([["QUEUE", ...states.map((s) => s.toUpperCase())], ...rows], "  ")];
}

/** `command: cancel, reason: wrong scope`: a JSON object's fields for people. */
export function formatFields(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(formatFields).join(" ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(
        ([k, v]) => `${k}: ${typeof v === "object" && v !== null ? `{${formatFields(v)}}` : formatFields(v)}`,
      )
      .join(", ");
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}
