import { JOB_TABLE } from "../../jobs/job-table.js";
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { connect } from "../db/connect.js";
import { createLogger } from "../log.js";
import { openQueues } from "../queue/backfill-queues.js";
import { checkRedis } from "../queue/redis-check.js";
import { DEFAULT_RETRY_POLICY } from "../queue/retry-policy.js";
import { openBatchCore } from "../run/batch-core.js";
import { heapLimitProblem } from "../run/heap-limit-check.js";
import { redactedConfig, startedBy } from "../run/run-audit.js";
import { startWorkerRuntime } from "../run/worker-runtime.js";
import { addBatchOptions } from "./batch-options.js";
import { action, EXIT, intOption } from "./command-runner.js";
import { onStopSignals, type StopSignals } from "./stop-signals.js";

interface WorkerOptions {
  concurrency?: number;
  leaseSeconds: number;
  shutdownSeconds: number;
  resyncSeconds: number;
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
      60,
    )
    .option(
      "--resync-seconds <n>",
      "how often the batches not done of running runs are enqueued again (heals a restarted Redis)",
      intOption("--resync-seconds", 1, 3600),
      30,
    )
    .action(action((opts: WorkerOptions) => workerCommand(opts)));
}

async function workerCommand(opts: WorkerOptions): Promise<number> {
  const config = loadConfig();
  const concurrency = opts.concurrency ?? config.concurrency;
  // A worker's batches come from the runs it serves; the configured batch size is the estimate.
  const heapProblem = heapLimitProblem(config.batchSize, concurrency);
  if (heapProblem) throw new UsageError(heapProblem);
  const logger = createLogger({ level: config.logLevel });
  const db = connect(config.databaseUrl, {
    max: concurrency + 3,
    logger,
    connectTimeoutMs: config.connectTimeoutMs,
  });
  const core = await openBatchCore(config, db, logger, { requireKey: true }).catch(async (err: unknown) => {
    await db.destroy();
    throw err;
  });
  // worker.started only once Redis answered; a silent or refusing Redis stops here with one line.
  await checkRedis(config.redisUrl, config.connectTimeoutMs).catch(async (err: unknown) => {
    await core.close();
    await db.destroy();
    throw err;
  });
  const queues = openQueues({ redisUrl: config.redisUrl, prefix: config.queuePrefix, logger });
  const runtime = startWorkerRuntime({
    db,
    logger,
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    concurrency,
    leaseMs: opts.leaseSeconds * 1000,
    processBatch: core.processBatch,
    jobs: JOB_TABLE,
    scheduler: {
      batchSize: config.batchSize,
      config: redactedConfig(config, { signed: core.signed }),
      startedBy: startedBy("scheduler"),
      enqueue: (runId, batchIds) => queues.enqueueBatches(runId, batchIds, DEFAULT_RETRY_POLICY),
      isScheduled: () => queues.isScheduled(),
    },
    resync: {
      intervalMs: opts.resyncSeconds * 1000,
      enqueue: (runId, batchIds) => queues.enqueueBatches(runId, batchIds, DEFAULT_RETRY_POLICY),
    },
  });
  let signals: StopSignals | undefined;
  const code = await new Promise<number>((resolve) => {
    signals = onStopSignals({
      deadlineMs: opts.shutdownSeconds * 1000,
      graceful: (signal) =>
        void runtime.stop(opts.shutdownSeconds * 1000, signal).then(
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
  await queues.close();
  await core.close();
  await db.destroy();
  return code;
}
