import type { Command } from "commander";
import { NotFoundError, UsageError } from "../errors.js";
import type { RunSettingsChange } from "../db/run-tune.js";
import { DEFAULT_RETRY_POLICY } from "../queue/retry-policy.js";
import { operatorActor } from "../run/run-audit.js";
import { tuneRun, type TuneResult } from "../run/tune-run.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT, intOption } from "./command-runner.js";
import { parseRunId } from "./run-id.js";
import {
  addRunSettingOptions,
  NICE_RATIO_DEFAULT,
  parseConcurrencyCap,
  parseMaxLag,
} from "./run-setting-options.js";

export { parseMaxLag };
import { withTimeout } from "./with-timeout.js";
import { addWindowOptions, parseWindowFlags, type WindowFlags } from "./window-options.js";

export interface TuneOptions extends WindowFlags {
  batchSize?: number;
  maxLag?: number;
  targetBatchSeconds?: number;
  niceRatio?: number;
  /** 0: no cap. */
  concurrency?: number;
  reason?: string;
}

/**
 * `backfill tune RUN [--batch-size N] [--max-lag SECONDS] [--target-batch-seconds S|off]
 * [--concurrency N|off] [--nice-ratio N|default] [--window …|--no-window] [--reason TEXT]`.
 */
export function registerTuneCommand(program: Command): void {
  const command = program
    .command("tune <run>")
    .description(
      "Change a running or paused run's settings; workers use them from their next batch. --batch-size " +
        "re-cuts the batches not claimed yet (the ones in flight finish as they are); --concurrency caps the " +
        "run's batches in flight across all workers. Recorded in the run's history (`backfill status --run RUN`).",
    )
    .option("--batch-size <n>", "tags per batch from now on", intOption("--batch-size", 1, 10000));
  addRunSettingOptions(command, "the adaptive batch size's target").option(
    "--concurrency <n>",
    "at most this many of the run's batches at once, across all workers (off: no cap)",
    parseConcurrencyCap,
  );
  addWindowOptions(command)
    .option("--no-window", "no time window any more")
    .option("--reason <text>", "why, kept in the run's history")
    .action(action((runId: string, opts: TuneOptions) => tuneCommand(runId, opts)));
}

/** What the flags ask to change; nothing at all is a usage error. */
export function tuneChange(opts: TuneOptions): RunSettingsChange {
  const change: RunSettingsChange = {};
  if (opts.batchSize !== undefined) change.batchSize = opts.batchSize;
  if (opts.maxLag !== undefined) change.maxReplicaLagS = opts.maxLag;
  if (opts.niceRatio !== undefined)
    change.niceRatio = opts.niceRatio === NICE_RATIO_DEFAULT ? null : opts.niceRatio;
  if (opts.targetBatchSeconds !== undefined) change.targetBatchMs = opts.targetBatchSeconds;
  if (opts.concurrency !== undefined) change.maxConcurrency = opts.concurrency || null;
  const window = parseWindowFlags(opts);
  if (window !== undefined) change.window = window;
  if (Object.keys(change).length === 0) {
    throw new UsageError(
      "nothing to change: give --batch-size, --max-lag, --target-batch-seconds, --concurrency, --nice-ratio, --window or --no-window",
    );
  }
  return change;
}

async function tuneCommand(runId: string, opts: TuneOptions): Promise<number> {
  parseRunId("RUN")(runId);
  const change = tuneChange(opts);
  const rt = openRuntime();
  try {
    const db = rt.database({ max: 2, logged: true });
    // Redis is only needed to enqueue a re-cut; the ledger resync covers it when Redis is away.
    const queues = change.batchSize !== undefined ? await rt.queues({ failFast: true }) : undefined;
    const result = await tuneRun(
      { runId, actor: operatorActor(), change, ...(opts.reason ? { reason: opts.reason } : {}) },
      {
        db,
        logger: rt.logger,
        enqueue: async (id, batchIds) =>
          queues ? queues.enqueueBatches(id, batchIds, DEFAULT_RETRY_POLICY) : 0,
        dropQueued: async (id, batchIds) =>
          queues ? withTimeout(queues.removeBatchJobs(id, batchIds), 10_000) : 0,
      },
    );
    process.stdout.write(`${describeTune(runId, result)}\n`);
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}

/** The one line `tune` prints; an unknown run is a failed lookup (exit 1), a finished one a usage error. */
export function describeTune(runId: string, result: TuneResult): string {
  if (result.kind === "unknown-run")
    throw new NotFoundError(`no run with id '${runId}': \`backfill status\` lists them`);
  if (result.kind === "finished") {
    throw new UsageError(
      `cannot tune run ${runId}: it is ${result.status}; only a running or paused run can be tuned`,
    );
  }
  const changed = Object.entries(result.changes).map(([name, { from, to }]) => {
    // A run without its own nice ratio uses the process's BACKFILL_NICE_RATIO.
    const unset = name === "niceRatio" ? "default" : "none";
    return `${name} ${String(from ?? unset)} -> ${String(to ?? unset)}`;
  });
  const head = `run ${runId}: ${changed.length > 0 ? changed.join(", ") : "nothing changed"}`;
  const recut = result.recut;
  if (!recut) return head;
  const batches = `${recut.removed.length} pending batch(es) re-cut into ${recut.added.length}`;
  if (result.enqueued && !result.enqueued.ok) {
    return `${head}; ${batches}, NOT enqueued (${result.enqueued.error}): the ledger resync enqueues them`;
  }
  return `${head}; ${batches}; from each worker's next batch`;
}
