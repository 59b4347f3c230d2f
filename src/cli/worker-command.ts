import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { DEFAULT_RETRY_POLICY } from "../queue/retry-policy.js";
import { heapLimitProblem } from "../run/heap-limit-check.js";
import { redactedConfig, startedBy } from "../run/run-audit.js";
import { startWorkerRuntime, type WorkerRuntime } from "../run/worker-runtime.js";
import { openRuntime, processApplicationName } from "../runtime/command-runtime.js";
import { addBatchOptions } from "./batch-options.js";
import { action, EXIT, intOption } from "./command-runner.js";
import { onStopSignals, type StopSignals } from "./stop-signals.js";
import { timeProbeQueries } from "../db/probe-response-time.js";
import { ThrottleChecker } from "../run/throttle-checker.js";
import { throttleSettings } from "../run/throttle-settings.js";

/** How long a graceful stop waits for the current batches by default (deploy/kubernetes and compose allow for it). */
export const WORKER_SHUTDOWN_SECONDS = 60;

interface WorkerOptions {
  concurrency?: number;
  leaseSeconds: number;
  shutdownSeconds: number;
  resyncSeconds: number;
  heartbeatSeconds: number;
}

export function registerWorkerCommand(program: Command): void {
  const command = program
    .command("worker")
    .description(
      "Long-running consumer of backfill batches and scheduler ticks; run several (processes or hosts) against " +
        "the same database and Redis. SIGINT/SIGTERM: stop claiming, finish or release the current batches, " +
        "exit 0; a second signal stops at once.",
    );
  addBatchOptions(command, { batchSize: false })
    .option(
      "--shutdown-seconds <n>",
      "how long a graceful stop waits for current batches",
      intOption("--shutdown-seconds", 1, 3600),
      WORKER_SHUTDOWN_SECONDS,
    )
    .option(
      "--resync-seconds <n>",
      "how often the batches not done of running runs are enqueued again (heals a restarted Redis)",
      intOption("--resync-seconds", 1, 3600),
      30,
    )
    .option(
      "--heartbeat-seconds <n>",
      "how often worker.heartbeat and the run.progress of every running run are logged",
      intOption("--heartbeat-seconds", 1, 3600),
      10,
    )
    .action(action((opts: WorkerOptions) => workerCommand(opts)));
}

async function workerCommand(opts: WorkerOptions): Promise<number> {
  const rt = openRuntime();
  const config = rt.config;
  const concurrency = opts.concurrency ?? config.concurrency;
  // A worker's batches come from the runs it serves; the configured batch size is the estimate.
  const heapProblem = heapLimitProblem(config.batchSize, concurrency);
  if (heapProblem) throw new UsageError(heapProblem);
  try {
    const db = rt.database({
      max: concurrency + 3,
      logged: true,
      applicationName: processApplicationName("worker"),
      guards: "batch",
    });
    await rt.checkQuaySchema();
    // A worker serves every run: reprocess --force ones repair.
    await rt.checkPrivileges(["read", "ledger", "write", "repair"]);
    const core = await rt.batchCore({ requireKey: true });
    // worker.started only once Redis answered; a silent or refusing Redis stops here with one line.
    const queues = await rt.queues({ check: true });
    const runtime = startWorkerRuntime({
      db,
      logger: rt.logger,
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      concurrency,
      leaseMs: opts.leaseSeconds * 1000,
      processBatch: core.processBatch,
      jobs: rt.jobs,
      throttle: new ThrottleChecker(db, throttleSettings(config), Date.now, timeProbeQueries, rt.logger),
      enqueue: (runId, batchIds) => queues.enqueueBatches(runId, batchIds, DEFAULT_RETRY_POLICY),
      scheduler: {
        batchSize: config.batchSize,
        config: redactedConfig(config, { concurrency, signed: core.signed }),
        startedBy: startedBy("scheduler"),
        enqueue: (runId, batchIds) => queues.enqueueBatches(runId, batchIds, DEFAULT_RETRY_POLICY),
        isScheduled: () => queues.isScheduled(),
      },
      resync: {
        intervalMs: opts.resyncSeconds * 1000,
        enqueue: (runId, batchIds) => queues.enqueueBatches(runId, batchIds, DEFAULT_RETRY_POLICY),
      },
      heartbeat: { intervalMs: opts.heartbeatSeconds * 1000, progress: true },
      ...(config.heartbeatFile ? { heartbeatFile: config.heartbeatFile } : {}),
    });
    return await untilStopped(runtime, opts.shutdownSeconds * 1000);
  } finally {
    await rt.close();
  }
}

/** Runs until SIGINT/SIGTERM: the first stops gracefully (exit 0), a second at once. */
async function untilStopped(runtime: WorkerRuntime, deadlineMs: number): Promise<number> {
  let signals: StopSignals | undefined;
  const code = await new Promise<number>((resolve) => {
    signals = onStopSignals({
      deadlineMs,
      graceful: (signal) =>
        void runtime.stop(deadlineMs, signal).then(
          () => resolve(EXIT.ok),
          () => resolve(EXIT.failed),
        ),
      // Forceful: hand back what we hold, then go; the current transactions die with the connection.
      forced: (signal) => runtime.forceStop(`${signal} (forced)`),
      say: {
        first: "finishing the current batches (again to stop at once)",
        forced: "stopping now; held batches are handed back",
      },
    });
  });
  signals?.dispose();
  return code;
}
