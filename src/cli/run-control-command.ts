import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { BackfillQueues } from "../queue/backfill-queues.js";
import { DEFAULT_RETRY_POLICY } from "../queue/retry-policy.js";
import { CONTROL_RULES, controlRun, type ControlResult, type RunControl } from "../run/control-run.js";
import { operatorActor } from "../run/run-audit.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT } from "./command-runner.js";
import { parseRunId } from "./run-id.js";
import { withTimeout } from "./with-timeout.js";

const PAST: Record<RunControl, string> = { pause: "paused", resume: "resumed", cancel: "cancelled" };

const DESCRIPTIONS: Record<RunControl, string> = {
  pause:
    "Pause a running run: no worker claims another of its batches (the ones in flight finish). State lives " +
    "in PostgreSQL, so this works while Redis is down. `backfill resume RUN` continues it.",
  resume:
    "Resume a paused run: it is running again, its failed batches are retried and every batch not done is " +
    "enqueued (when Redis is down, the next `backfill run` or worker resync enqueues them).",
  cancel:
    "Cancel a run for good: no worker claims another of its batches (the ones in flight finish) and its " +
    "target is free, so a new `backfill run` can start; tags it did not reach are left to that run.",
};

/** `backfill pause|resume|cancel RUN [--reason TEXT]`. */
export function registerRunControlCommands(program: Command): void {
  for (const name of ["pause", "resume", "cancel"] as const) {
    program
      .command(`${name} <run>`)
      .description(DESCRIPTIONS[name])
      .option("--reason <text>", "why, kept in the run's history (`backfill status --run RUN`)")
      .action(action((runId: string, opts: { reason?: string }) => controlCommand(name, runId, opts)));
  }
}

async function controlCommand(name: RunControl, runId: string, opts: { reason?: string }): Promise<number> {
  parseRunId("RUN")(runId);
  const rt = openRuntime();
  const logger = rt.logger;
  try {
    const db = rt.database({ max: 2, logged: true });
    const queues = name === "resume" || name === "cancel" ? await rt.queues({ failFast: true }) : undefined;
    const result = await controlRun(
      { runId, action: name, actor: operatorActor(), ...(opts.reason ? { reason: opts.reason } : {}) },
      {
        db,
        logger,
        enqueue: async (id, batchIds) => {
          if (!queues) return 0;
          return withTimeout(queues.enqueueBatches(id, batchIds, DEFAULT_RETRY_POLICY), 10_000);
        },
        dropQueued: async (id, batchIds) => {
          if (!queues) return 0;
          return withTimeout(queues.removeBatchJobs(id, batchIds), 10_000);
        },
      },
    );
    const workers =
      name === "resume" && result.kind === "changed" && result.enqueued?.ok === true && queues
        ? await connectedWorkers(queues)
        : undefined;
    process.stdout.write(`${describe(name, runId, result, workers)}\n`);
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}

/** How many batch workers Redis lists, or why that is unknown. */
async function connectedWorkers(queues: BackfillQueues): Promise<number | string> {
  try {
    return await withTimeout(queues.batchWorkers(), 5000);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function describe(name: RunControl, runId: string, result: ControlResult, workers?: number | string): string {
  switch (result.kind) {
    case "unknown-run":
      throw new UsageError(`no run with id '${runId}': \`backfill status\` lists them`);
    case "illegal": {
      const allowed = CONTROL_RULES[name].from.filter((s) => s !== "pending").join(" or ");
      throw new UsageError(
        `cannot ${name} run ${runId}: it is ${result.status}; only a ${allowed} run can be ${PAST[name]}`,
      );
    }
    case "changed": {
      const head = `run ${runId}: ${result.from} -> ${result.run.status}`;
      if (name === "pause")
        return `${head}; batches in flight finish, no new one starts (\`backfill resume ${runId}\`)`;
      if (name === "cancel") {
        const d = result.dropped;
        const queue =
          d === undefined || d.ok
            ? `${d?.jobs ?? 0} queued job(s) removed`
            : `its queued jobs stay in Redis (unavailable: ${d.error}); workers drop them when they reach them`;
        return `${head}; batches in flight finish, no new one starts; its target is free; ${queue}`;
      }
      if (result.run.status === "completed") return `${head}; nothing was left to do`;
      if (result.enqueued && !result.enqueued.ok) {
        return (
          `${head}; ${result.batches ?? 0} batch(es) NOT enqueued, Redis is unavailable (${result.enqueued.error}); ` +
          "the next `backfill run` or a `backfill worker` resync enqueues them"
        );
      }
      const enqueued = `${head}; ${result.batches ?? 0} batch(es) enqueued`;
      if (typeof workers === "number" && workers > 0)
        return `${enqueued} for the ${workers} worker(s) connected`;
      if (workers === 0)
        return `${enqueued}, but no worker is connected: start \`backfill worker\` (or \`backfill run\`) to process them`;
      if (typeof workers === "string")
        return `${enqueued}; could not tell whether a worker is connected (${workers})`;
      return enqueued;
    }
  }
}
