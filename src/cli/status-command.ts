import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { batchProgress, type BatchProgress } from "../db/batch-progress.js";
import { connect } from "../db/connect.js";
import { listRunEvents } from "../db/run-events-list.js";
import { getRun } from "../db/run-get.js";
import { listRuns } from "../db/run-list.js";
import type { RunRow } from "../db/tables.js";
import { UsageError } from "../errors.js";
import { createLogger } from "../log.js";
import { openQueues } from "../queue/backfill-queues.js";
import { formatDuration } from "../run/progress-meter.js";
import { action, EXIT } from "./command-runner.js";

interface StatusOptions {
  run?: string;
  json?: boolean;
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description(
      "Runs, batches by state, outcomes by reason, rate, ETA, queue counts; with --run, its audit trail",
    )
    .option("--run <id>", "one run in detail")
    .option("--json", "machine-readable output")
    .action(action((opts: StatusOptions) => statusCommand(opts)));
}

function rateAndEta(run: RunRow, progress: BatchProgress) {
  const start = run.started_at ? new Date(run.started_at).getTime() : undefined;
  const end = run.finished_at ? new Date(run.finished_at).getTime() : Date.now();
  const elapsedMs = start === undefined ? 0 : Math.max(0, end - start);
  const ratePerSec = elapsedMs > 0 ? Math.round((progress.tags.done * 10_000) / elapsedMs) / 10 : 0;
  const remaining = Math.max(0, (run.total_tags ?? 0) - progress.tags.done);
  const active = ["running", "pending"].includes(run.status);
  const etaMs = !active ? 0 : ratePerSec > 0 ? Math.round((remaining / ratePerSec) * 1000) : null;
  return { elapsedMs, ratePerSec, etaMs };
}

async function queueCounts(config: ReturnType<typeof loadConfig>): Promise<Record<string, unknown>> {
  const queues = openQueues({
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    logger: createLogger({ level: "silent" }),
    failFast: true,
  });
  try {
    const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 3000).unref());
    const counts = await Promise.race([queues.counts(), timeout]);
    return counts === "timeout" ? { unavailable: "Redis did not answer within 3 s" } : counts;
  } catch (err) {
    return { unavailable: err instanceof Error ? err.message : String(err) };
  } finally {
    void queues.close();
  }
}

async function statusCommand(opts: StatusOptions): Promise<number> {
  const config = loadConfig();
  const db = connect(config.databaseUrl, { max: 2 });
  try {
    const queues = await queueCounts(config);
    if (opts.run === undefined) {
      const runs = await listRuns(db, 20);
      const rows = [];
      for (const run of runs) {
        const progress = await batchProgress(db, String(run.id));
        rows.push({ run, progress, ...rateAndEta(run, progress) });
      }
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ runs: rows.map((r) => summary(r.run, r.progress, r)), queues }, null, 2)}\n`,
        );
        return EXIT.ok;
      }
      if (rows.length === 0) process.stdout.write("no runs yet: `backfill run` starts one\n");
      for (const r of rows) {
        const t = r.progress.tags;
        process.stdout.write(
          `run ${String(r.run.id).padEnd(5)} ${r.run.kind.padEnd(9)} ${r.run.status.padEnd(9)} ${r.run.target.padEnd(24)} ` +
            `${t.done}/${r.run.total_tags ?? 0} tags  broken ${t.backfilled_broken}  failed ${t.failed}  ` +
            `${r.ratePerSec} tags/s  ${r.etaMs ? `ETA ${formatDuration(r.etaMs)}` : ""}\n`,
        );
      }
      process.stdout.write(`queues ${JSON.stringify(queues)}\n`);
      return EXIT.ok;
    }
    const run = await getRun(db, opts.run);
    if (!run) throw new UsageError(`no run with id '${opts.run}': \`backfill status\` lists them`);
    const progress = await batchProgress(db, String(run.id));
    const events = await listRunEvents(db, String(run.id));
    const detail = {
      ...summary(run, progress, rateAndEta(run, progress)),
      startedBy: run.started_by,
      config: run.config,
      events: events.map((e) => ({
        at: e.at as unknown as Date,
        from: e.from_status,
        to: e.to_status,
        actor: e.actor,
        detail: (e.detail ?? null) as Record<string, unknown> | null,
      })),
      queues,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
      return EXIT.ok;
    }
    process.stdout.write(formatDetail(detail));
    return EXIT.ok;
  } finally {
    await db.destroy();
  }
}

function summary(
  run: RunRow,
  progress: BatchProgress,
  timing: { elapsedMs: number; ratePerSec: number; etaMs: number | null },
) {
  return {
    id: String(run.id),
    kind: run.kind,
    status: run.status,
    target: run.target,
    dryRun: run.dry_run,
    filters: run.filters,
    batchSize: run.batch_size,
    totalTags: run.total_tags ?? 0,
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    error: run.error,
    batches: progress.batches,
    tags: progress.tags,
    byReason: progress.byReason,
    ...(Object.keys(progress.wouldWrite).length > 0 ? { wouldWrite: progress.wouldWrite } : {}),
    elapsedMs: timing.elapsedMs,
    ratePerSec: timing.ratePerSec,
    etaMs: timing.etaMs,
  };
}

interface HistoryLine {
  at: Date | string;
  from: string | null;
  to: string;
  actor: string;
  detail: Record<string, unknown> | null;
}

/** `alice@host1 via cli (pid 42), code 0.1.0+abc123: backfill run --batch-size 50` */
function describeStarter(raw: unknown): string {
  const s = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof s.user !== "string") return JSON.stringify(raw);
  const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "?");
  const argv = Array.isArray(s.argv) ? s.argv.map(str).join(" ") : "?";
  return `${str(s.user)}@${str(s.host)} via ${str(s.via)} (pid ${str(s.pid)}), code ${str(s.codeVersion)}: backfill ${argv}`;
}

function formatDetail(
  d: ReturnType<typeof summary> & {
    startedBy: unknown;
    config: unknown;
    events: HistoryLine[];
    queues: unknown;
  },
): string {
  const lines = [
    `run ${d.id}: ${d.kind}, ${d.status}${d.dryRun ? " (dry run)" : ""}, target ${d.target}, batch size ${d.batchSize}`,
    `  tags      ${d.tags.done}/${d.totalTags}: backfilled ${d.tags.backfilled}, broken ${d.tags.backfilled_broken}, skipped ${d.tags.skipped}, failed ${d.tags.failed}`,
    `  batches   pending ${d.batches.pending}, running ${d.batches.running}, done ${d.batches.done}, failed ${d.batches.failed}`,
    `  rate      ${d.ratePerSec} tags/s over ${formatDuration(d.elapsedMs)}${d.etaMs ? `, ETA ${formatDuration(d.etaMs)}` : ""}`,
  ];
  if (d.error) lines.push(`  error     ${d.error}`);
  const reasons = Object.entries(d.byReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length) lines.push("  reasons", ...reasons.map(([r, n]) => `    ${r.padEnd(26)} ${n}`));
  lines.push(
    `  started   ${describeStarter(d.startedBy)}`,
    `  config    ${JSON.stringify(d.config)}`,
    "  history",
  );
  for (const e of d.events) {
    const detail = e.detail && Object.keys(e.detail).length > 0 ? `  ${JSON.stringify(e.detail)}` : "";
    lines.push(
      `    ${new Date(e.at).toISOString()}  ${e.from ?? "(new)"} -> ${e.to}  by ${e.actor}${detail}`,
    );
  }
  lines.push(`  queues    ${JSON.stringify(d.queues)}`);
  return `${lines.join("\n")}\n`;
}
