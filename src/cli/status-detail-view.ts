import type { RunStatusDetail } from "../run/run-status.js";
import { formatDuration } from "../run/progress-meter.js";
import { formatRate } from "../run/run-rate.js";
import { formatRows } from "../text-table.js";
import {
  formatFields,
  formatQueues,
  formatThrottle,
  noWorkerAdvice,
  type QueueCounts,
} from "./status-view.js";

export type StatusDetail = RunStatusDetail & { queues: QueueCounts };

/** `alice@host1 via cli (pid 42), code 0.1.0+abc123: backfill run --batch-size 50` */
function describeStarter(raw: unknown): string {
  const s = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof s.user !== "string") return formatFields(raw);
  const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "?");
  const argv = Array.isArray(s.argv) ? s.argv.map(str).join(" ") : "?";
  return `${str(s.user)}@${str(s.host)} via ${str(s.via)} (pid ${str(s.pid)}), code ${str(s.codeVersion)}: backfill ${argv}`;
}

/** `status --run ID` for people: state, counts, rate (or why there is none), reasons, history. */
export function formatDetail(d: StatusDetail): string {
  const rate = d.noWorker
    ? `-  (${noWorkerAdvice(d.id)})`
    : `${formatRate(d.ratePerSec)} over ${formatDuration(d.runningMs ?? 0)} running` +
      (d.etaMs && d.status === "running" ? `, ETA ${formatDuration(d.etaMs)}` : "");
  const lines = [
    `run ${d.id}: ${d.kind}, ${d.status}${d.dryRun ? " (dry run)" : ""}, target ${d.target}, batch size ${d.batchSize}`,
    `  tags      ${d.tags.done}/${d.totalTags}: backfilled ${d.tags.backfilled}, broken ${d.tags.backfilled_broken}, skipped ${d.tags.skipped}, failed ${d.tags.failed}`,
    `  batches   pending ${d.batches.pending}, running ${d.batches.running}, done ${d.batches.done}, failed ${d.batches.failed}`,
    `  rate      ${rate}`,
  ];
  if (d.throttle.since !== null || d.throttle.totalMs > 0)
    lines.push(`  throttle  ${formatThrottle(d.throttle)}`);
  const settings = [
    ...(d.settings.window !== null ? [`window ${d.settings.window}`] : []),
    ...(d.settings.maxReplicaLagS !== null ? [`max replica lag ${d.settings.maxReplicaLagS} s`] : []),
    ...(d.settings.niceRatio !== null ? [`nice ratio ${d.settings.niceRatio}`] : []),
  ];
  if (settings.length > 0) lines.push(`  settings  ${settings.join(", ")}`);
  if (d.error) lines.push(`  error     ${d.error}`);
  const reasons = Object.entries(d.byReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length) lines.push("  reasons", ...formatRows(reasons, "    "));
  lines.push(
    `  started   ${describeStarter(d.startedBy)}`,
    `  config    ${formatFields(d.config)}`,
    "  history",
  );
  for (const e of d.events) {
    const detail = e.detail && Object.keys(e.detail).length > 0 ? `  (${formatFields(e.detail)})` : "";
    lines.push(
      `    ${new Date(e.at).toISOString()}  ${e.from ?? "(new)"} -> ${e.to}  by ${e.actor}${detail}`,
    );
  }
  lines.push(...formatQueues(d.queues));
  return `${lines.join("\n")}\n`;
}
