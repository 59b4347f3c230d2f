import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { parseNamespace, parseRepositoryRef } from "../repository-ref.js";
import { DEFAULT_RETRY_POLICY } from "../queue/retry-policy.js";
import type { RunFilters } from "../backfill/batch-work.js";
import { heapLimitProblem } from "../run/heap-limit-check.js";
import { operatorActor, redactedConfig, startedBy } from "../run/run-audit.js";
import { runPass, type PassOutcome } from "../run/run-pass.js";
import { runReport } from "../run/run-report.js";
import { formatRunSummary, passVerdict } from "../run/run-summary.js";
import { addBatchOptions } from "./batch-options.js";
import { addRunSettingOptions } from "./run-setting-options.js";
import { action, EXIT, intOption } from "./command-runner.js";
import { ProgressBar } from "./progress-bar.js";
import { openRuntime, processApplicationName } from "../runtime/command-runtime.js";
import { onStopSignals, type StopSignals } from "./stop-signals.js";
import { timeProbeQueries } from "../db/probe-response-time.js";
import { ThrottleChecker } from "../run/throttle-checker.js";
import { throttleSettings } from "../run/throttle-settings.js";
import { addWindowOptions, parseWindowFlags, type WindowFlags } from "./window-options.js";
import { logsToFile } from "../log.js";
import type { Config } from "../config.js";
import { maxLagFlagProblem } from "../config-throttle.js";
import type { StartRunInput } from "../run/start-run.js";

interface RunOptions extends WindowFlags {
  namespace?: string;
  repository?: string;
  batchSize?: number;
  concurrency?: number;
  dryRun?: boolean;
  leaseSeconds: number;
  shutdownSeconds: number;
  progress?: boolean;
  json?: boolean;
  maxLag?: number;
  targetBatchSeconds?: number;
  niceRatio?: number;
}

export function registerRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description(
      "One full backfill pass: create (or resume) the run of the target, enqueue its batches and process them " +
        "with in-process workers until every candidate tag is done. Exit 0 when every candidate ended mapped " +
        "(broken ones included).",
    )
    .option("--namespace <name>", "only repositories of this namespace")
    .option("--repository <ns/repo>", "only this repository");
  addRunSettingOptions(
    addWindowOptions(
      addBatchOptions(command, {
        batchSize: true,
        concurrency:
          "batches at once in this process, and the run's cap across all workers (default BACKFILL_CONCURRENCY, no cap)",
      }),
    ),
    "the adaptive batch size's target, default BACKFILL_TARGET_BATCH_SECONDS",
  )
    .option("--dry-run", "plan and sign but write nothing; report what would be written (no key needed)")
    .option("--no-progress", "no progress bar even on a terminal (log run.progress instead)")
    .option("--json", "print the result as one JSON document (logs stay on stderr)")
    .option(
      "--shutdown-seconds <n>",
      "on SIGINT/SIGTERM, how long the current batches may take to finish before their leases are handed back",
      intOption("--shutdown-seconds", 1, 3600),
      30,
    )
    .action(action((opts: RunOptions) => runCommand(opts)));
}

async function runCommand(opts: RunOptions): Promise<number> {
  const bar = opts.progress !== false && process.stderr.isTTY ? new ProgressBar() : undefined;
  // With a bar on the terminal, info lines would tear it; warnings still show.
  // With a bar on the terminal the log keeps to warnings, unless it goes to a file (a dashboard reads it).
  const rt = openRuntime({ quiet: bar !== undefined && !logsToFile() });
  const config = rt.config;
  const window = parseWindowFlags(opts) ?? undefined;
  const concurrency = opts.concurrency ?? config.concurrency;
  const batchSize = opts.batchSize ?? config.batchSize;
  const heapProblem = heapLimitProblem(batchSize, concurrency);
  if (heapProblem) throw new UsageError(heapProblem);
  const lagProblem =
    opts.maxLag === undefined ? undefined : maxLagFlagProblem(opts.maxLag, config.criticalReplicaLagS);
  if (lagProblem) throw new UsageError(lagProblem);
  const abort = new AbortController();
  const stopDeadlineMs = opts.shutdownSeconds * 1000;
  let signals: StopSignals | undefined;
  try {
    const db = rt.database({
      max: concurrency + 3,
      logged: true,
      applicationName: processApplicationName("run"),
      guards: "batch",
    });
    await rt.checkQuaySchema();
    // A dry run keeps to the ledger: no temporary table, no row of Quay's.
    await rt.checkPrivileges(opts.dryRun ? ["read", "ledger"] : ["read", "ledger", "write"]);
    const core = await rt.batchCore({ requireKey: opts.dryRun !== true });
    signals = onStopSignals({
      deadlineMs: stopDeadlineMs,
      graceful: () => abort.abort(),
      forced: () => Promise.resolve(),
      say: {
        first: "finishing the current batches (again to stop at once)",
        forced: "stopping now; held batches return when their lease expires",
      },
    });
    const out = await runPass({
      db,
      logger: rt.logger,
      redisUrl: config.redisUrl,
      connectTimeoutMs: config.connectTimeoutMs,
      prefix: config.queuePrefix,
      concurrency,
      leaseMs: opts.leaseSeconds * 1000,
      retry: DEFAULT_RETRY_POLICY,
      processBatch: core.processBatch,
      jobs: rt.jobs,
      throttle: new ThrottleChecker(db, throttleSettings(config), Date.now, timeProbeQueries, rt.logger),
      signal: abort.signal,
      stopDeadlineMs,
      waitWhilePaused: true,
      ...(bar
        ? {
            onProgress: (estimate, progress) =>
              bar.render(estimate, progress.tags.backfilled_broken, progress.tags.failed),
          }
        : {}),
      run: runInput(opts, { config, batchSize, concurrency, signed: core.signed, window }),
    });
    bar?.finish();
    return printPass(out, opts, batchSize);
  } finally {
    signals?.dispose();
    await rt.close();
  }
}

/** The run `run` starts: its filters, size and settings, and what its audit record keeps. */
function runInput(
  opts: RunOptions,
  ctx: {
    config: Config;
    batchSize: number;
    concurrency: number;
    signed: boolean;
    window: StartRunInput["window"];
  },
): StartRunInput {
  const { config, batchSize, concurrency, signed } = ctx;
  return {
    kind: "backfill",
    filters: parseFilters(opts),
    options: {},
    dryRun: opts.dryRun === true,
    batchSize,
    startedBy: startedBy("cli"),
    config: redactedConfig(config, {
      concurrency,
      batchSize,
      signed,
      ...(opts.targetBatchSeconds !== undefined ? { targetBatchMs: opts.targetBatchSeconds } : {}),
    }),
    actor: operatorActor(),
    window: ctx.window,
    maxReplicaLagS: opts.maxLag,
    niceRatio: opts.niceRatio !== undefined && opts.niceRatio >= 0 ? opts.niceRatio : undefined,
    // Given on the command line, --concurrency also caps the run across all workers.
    maxConcurrency: opts.concurrency,
  };
}

/** The pass's result on stdout (a summary, or one JSON document), why it is not complete on stderr. */
function printPass(out: PassOutcome, opts: RunOptions, batchSize: number): number {
  const verdict = passVerdict(out.run, out.progress, out.remaining, out.interrupted);
  if (out.resumed) noteKeptSettings(out.run, opts, batchSize);
  if (opts.json) {
    const report = {
      ...runReport(out.run, out.progress, out.estimate),
      resumed: out.resumed,
      interrupted: out.interrupted,
      remaining: out.remaining,
      durationMs: out.durationMs,
      ok: verdict.ok,
      reason: verdict.reason,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(formatRunSummary(out.run, out.progress, out.durationMs, verdict, out.estimate));
  }
  if (!verdict.ok) process.stderr.write(`backfill: ${verdict.reason ?? "run not complete"}\n`);
  return verdict.ok ? EXIT.ok : EXIT.failed;
}

/** A resumed run keeps its own batch size and window, whatever the flags say; `backfill tune` changes them. */
function noteKeptSettings(run: PassOutcome["run"], opts: RunOptions, batchSize: number): void {
  const id = String(run.id);
  if (run.batch_size !== batchSize && opts.batchSize !== undefined) {
    process.stderr.write(`backfill: note: resumed run ${id} keeps its batch size ${run.batch_size}\n`);
  }
  const settings = [opts.maxLag, opts.targetBatchSeconds, opts.concurrency, opts.niceRatio];
  if (settings.some((s) => s !== undefined)) {
    process.stderr.write(
      `backfill: note: resumed run ${id} keeps its replica-lag line, target batch duration, concurrency cap and nice ratio; \`backfill tune ${id}\` changes them\n`,
    );
  }
  const window = parseWindowFlags(opts);
  if (window && (run.time_window !== window.window || run.time_zone !== window.zone)) {
    const kept = run.time_window === null ? "no window" : `window ${run.time_window} ${run.time_zone ?? ""}`;
    process.stderr.write(
      `backfill: note: resumed run ${id} keeps ${kept}; \`backfill tune ${id}\` changes it\n`,
    );
  }
}

function parseFilters(opts: RunOptions): RunFilters {
  const filters: RunFilters = {};
  if (opts.namespace !== undefined) {
    filters.namespace = parseNamespace(opts.namespace);
  }
  if (opts.repository !== undefined) {
    parseRepositoryRef(opts.repository);
    filters.repository = opts.repository;
  }
  if (filters.namespace !== undefined && filters.repository !== undefined) {
    throw new UsageError("give --namespace or --repository, not both");
  }
  return filters;
}
