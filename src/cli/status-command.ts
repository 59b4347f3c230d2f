import type { Command } from "commander";
import type { Kysely } from "kysely";
import { batchProgress } from "../db/batch-progress.js";
import { loadRunClock } from "../db/load-run-clock.js";
import { registryCoverage } from "../db/registry-coverage.js";
import { listRunEvents } from "../db/run-events-list.js";
import { getRun } from "../db/run-get.js";
import { listRuns } from "../db/run-list.js";
import { runLiveness } from "../db/run-liveness.js";
import type { Database, RunRow } from "../db/tables.js";
import { UsageError } from "../errors.js";
import { estimateRun } from "../run/run-rate.js";
import { runReport } from "../run/run-report.js";
import { noWorker } from "../run/worker-presence.js";
import { openRuntime, type CommandRuntime } from "../runtime/command-runtime.js";
import { action, EXIT, intOption } from "./command-runner.js";
import { formatDetail, type StatusDetail } from "./status-detail-view.js";
import { formatStatusList, type QueueCounts, type StatusRun } from "./status-view.js";
import { parseRunId } from "./run-id.js";

interface StatusOptions {
  run?: string;
  json?: boolean;
  limit: number;
  watch?: number;
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description(
      "Registry-wide coverage, runs (batches, outcomes, rate, ETA, whether a worker serves them), queue " +
        "counts; with --run, one run in detail with its audit trail",
    )
    .option("--run <id>", "one run in detail", parseRunId("--run"))
    .option("--limit <n>", "how many runs to list, newest first", intOption("--limit", 1, 10_000), 20)
    .option("--watch <seconds>", "render again every N seconds until Ctrl-C", intOption("--watch", 1, 3600))
    .option("--json", "print one JSON document")
    .action(action((opts: StatusOptions) => statusCommand(opts)));
}

async function queueCounts(rt: CommandRuntime): Promise<QueueCounts> {
  const queues = await rt.queues({ failFast: true, silent: true });
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

/** One run with the shared rate (run-rate.ts) and whether a worker serves it. */
async function statusRun(db: Kysely<Database>, run: RunRow): Promise<StatusRun> {
  const runId = String(run.id);
  const progress = await batchProgress(db, runId);
  const clock = await loadRunClock(db, runId);
  const now = Date.now();
  const estimate = estimateRun(run.total_tags, progress.tags, clock, now);
  const since = clock.at(-1)?.atMs ?? now;
  const idle = noWorker(run.status, await runLiveness(db, runId), (now - since) / 1000);
  const report = runReport(run, progress, estimate);
  // Without a worker there is no rate to speak of and no ETA.
  return idle ? { ...report, etaMs: null, noWorker: true } : { ...report, noWorker: false };
}

async function statusCommand(opts: StatusOptions): Promise<number> {
  if (opts.watch !== undefined && opts.json) {
    throw new UsageError(
      "--watch re-renders for people; with --json, call `backfill status --json` in a loop",
    );
  }
  const rt = openRuntime();
  try {
    const db = rt.database({ max: 2 });
    if (opts.watch === undefined) {
      process.stdout.write(await render(db, rt, opts));
      return EXIT.ok;
    }
    return await watch(opts.watch, () => render(db, rt, opts));
  } finally {
    await rt.close();
  }
}

/** Renders again every `seconds` until Ctrl-C (or SIGTERM), which ends it with exit 0. */
async function watch(seconds: number, once: () => Promise<string>): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    while (!stop.signal.aborted) {
      const text = await once();
      const clear = process.stdout.isTTY ? "\x1b[2J\x1b[H" : "";
      process.stdout.write(`${clear}${new Date().toISOString()}  every ${seconds}s, Ctrl-C stops\n${text}\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000);
        stop.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
    return EXIT.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function render(db: Kysely<Database>, rt: CommandRuntime, opts: StatusOptions) {
  const queues = await queueCounts(rt);
  if (opts.run === undefined) {
    const runs = await Promise.all((await listRuns(db, opts.limit)).map((run) => statusRun(db, run)));
    const coverage = await registryCoverage(db);
    if (opts.json) return `${JSON.stringify({ coverage, runs, queues }, null, 2)}\n`;
    return formatStatusList(runs, coverage, queues);
  }
  const run = await getRun(db, opts.run);
  if (!run) throw new UsageError(`no run with id '${opts.run}': \`backfill status\` lists them`);
  const events = await listRunEvents(db, String(run.id));
  const detail: StatusDetail = {
    ...(await statusRun(db, run)),
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
  return opts.json ? `${JSON.stringify(detail, null, 2)}\n` : formatDetail(detail);
}
