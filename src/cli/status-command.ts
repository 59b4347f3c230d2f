import type { Command } from "commander";
import type { Kysely } from "kysely";
import type { Database } from "../db/tables.js";
import { UsageError } from "../errors.js";
import { runStatusDetail, statusList } from "../run/run-status.js";
import { openRuntime, type CommandRuntime } from "../runtime/command-runtime.js";
import { action, EXIT, intOption } from "./command-runner.js";
import { formatDetail, type StatusDetail } from "./status-detail-view.js";
import { formatStatusList, type QueueCounts } from "./status-view.js";
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

async function statusCommand(opts: StatusOptions): Promise<number> {
  if (opts.watch !== undefined && opts.json) {
    throw new UsageError(
      "--watch re-renders for people; with --json, call `backfill status --json` in a loop",
    );
  }
  const rt = openRuntime();
  try {
    const db = rt.database({ max: 2, guards: "read-only" });
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
    const { coverage, runs } = await statusList(db, opts.limit);
    if (opts.json) return `${JSON.stringify({ coverage, runs, queues }, null, 2)}\n`;
    return formatStatusList(runs, coverage, queues);
  }
  const detail = await runStatusDetail(db, opts.run);
  if (!detail) throw new UsageError(`no run with id '${opts.run}': \`backfill status\` lists them`);
  const shown: StatusDetail = { ...detail, queues };
  return opts.json ? `${JSON.stringify(shown, null, 2)}\n` : formatDetail(shown);
}
