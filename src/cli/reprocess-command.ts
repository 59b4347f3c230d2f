import { JOB_TABLE } from "../../jobs/job-table.js";
import type { Command } from "commander";
import type { Kysely } from "kysely";
import type { BatchResult, TagResult } from "../backfill/process-batch.js";
import { KNOWN_REASONS } from "../backfill/reasons.js";
import { loadConfig, type Config } from "../config.js";
import { connect } from "../db/connect.js";
import { loadReprocessTagIds, type ReprocessSelection } from "../db/load-reprocess-tag-ids.js";
import { loadRunReprocessSummary } from "../db/load-run-reprocess-summary.js";
import { findActiveRun } from "../db/run-find-active.js";
import type { Database } from "../db/tables.js";
import { UsageError } from "../errors.js";
import { parseNamespace, parseRepositoryRef } from "../repository-ref.js";
import { createLogger, type Logger } from "../log.js";
import { DEFAULT_RETRY_POLICY } from "../queue/retry-policy.js";
import { openBatchCore, type BatchCore } from "../run/batch-core.js";
import { isPreempted } from "../run/batch-processor.js";
import { heapLimitProblem } from "../run/heap-limit-check.js";
import { operatorActor, redactedConfig, startedBy } from "../run/run-audit.js";
import { runPass } from "../run/run-pass.js";
import { passVerdict } from "../run/run-summary.js";
import { runTarget } from "../run/run-target.js";
import { addBatchOptions } from "./batch-options.js";
import { action, EXIT } from "./command-runner.js";
import { ProgressBar } from "./progress-bar.js";
import { formatChangeLine, formatTagLine, formatTally, tally } from "./reprocess-report.js";

interface ReprocessOptions {
  repository?: string;
  namespace?: string;
  tagIds?: number[];
  idRange?: { lo: number; hi: number };
  reason?: string;
  allBroken?: boolean;
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
  progress?: boolean;
  batchSize?: number;
  concurrency?: number;
  leaseSeconds: number;
}

/** Refused and failed tags listed after a real run; the rest are in `backfill status --run`. */
const PROBLEM_LINES = 200;

export function registerReprocessCommand(program: Command): void {
  const command = program
    .command("reprocess")
    .description(
      "Run selected tags through the backfill again, as a run of kind reprocess (same ledger, queue and " +
        "workers). Unmapped tags are mapped. With --force, mapped tags are recomputed and what differs is " +
        "repaired, each tag atomically; a manifest's digest under a tag is never changed (except a BROKEN " +
        "placeholder's) and a manifest another tag uses is never deleted. Criteria combine (AND).",
    )
    .option("--repository <ns/repo>", "tags of this repository")
    .option("--namespace <name>", "tags of repositories of this namespace")
    .option("--tag-ids <ids>", "these repositorytag ids (comma-separated)", parseIds)
    .option("--id-range <lo-hi>", "repositorytag ids from lo to hi, both included", parseRange)
    .option("--reason <code>", "tags whose recorded outcome reason is this code (backfill.tag_outcome)")
    .option("--all-broken", "tags recorded backfilled_broken, or linked with tagmanifesttomanifest.broken")
    .option("--force", "recompute mapped tags and repair what differs (without it they are left alone)")
    .option("--dry-run", "print every change it would make, one line each, and write nothing (no run row)")
    .option("--json", "print the result as one JSON document (logs stay on stderr)")
    .option("--no-progress", "no progress bar even on a terminal (log run.progress instead)");
  addBatchOptions(command, { batchSize: true }).action(
    action((opts: ReprocessOptions) => reprocessCommand(opts)),
  );
}

async function reprocessCommand(opts: ReprocessOptions): Promise<number> {
  const selection = parseSelection(opts);
  const config = loadConfig();
  const force = opts.force === true;
  const dryRun = opts.dryRun === true;
  const batchSize = opts.batchSize ?? config.batchSize;
  const concurrency = opts.concurrency ?? config.concurrency;
  const heapProblem = heapLimitProblem(batchSize, concurrency);
  if (heapProblem) throw new UsageError(heapProblem);
  const bar = opts.progress !== false && !dryRun && process.stderr.isTTY ? new ProgressBar() : undefined;
  // With a bar on the terminal, info lines would tear it; warnings still show.
  const quiet = (opts.json === true || bar !== undefined) && !process.env.LOG_LEVEL;
  const logger = createLogger({ level: quiet ? "warn" : config.logLevel });
  const db = connect(config.databaseUrl, {
    max: concurrency + 3,
    logger,
    connectTimeoutMs: config.connectTimeoutMs,
  });
  try {
    const selected = await loadReprocessTagIds(db, selection);
    const mappedLeftOut = force ? 0 : selected.filter((tag) => tag.mapped).length;
    const ids = selected.filter((tag) => force || !tag.mapped).map((tag) => tag.id);
    if (mappedLeftOut > 0 && !opts.json) {
      process.stderr.write(
        `backfill: ${mappedLeftOut} selected tag(s) are mapped already: --force recomputes them\n`,
      );
    }
    if (ids.length === 0) {
      if (opts.json) process.stdout.write(`${JSON.stringify({ selected: 0, mappedLeftOut })}\n`);
      else process.stdout.write("no tags to reprocess\n");
      return EXIT.ok;
    }
    const core = await openBatchCore(config, db, logger, { requireKey: !dryRun });
    try {
      if (dryRun) return await dryRunReprocess(core, ids, batchSize, force, opts.json === true);
      return await runReprocess({ config, db, logger, core, ids, force, batchSize, concurrency, opts, bar });
    } finally {
      await core.close();
    }
  } finally {
    await db.destroy();
  }
}

/** Plans every selected tag in batches, in this process, read-only: no run row, no lock, no Redis. */
async function dryRunReprocess(
  core: BatchCore,
  ids: readonly number[],
  batchSize: number,
  force: boolean,
  json: boolean,
): Promise<number> {
  const all: TagResult[] = [];
  for (let start = 0; start < ids.length; start += batchSize) {
    const chunk = ids.slice(start, start + batchSize);
    const out = await core.processBatch(
      {
        runId: "0",
        batchId: "0",
        lo: chunk[0] as number,
        hi: chunk.at(-1) as number,
        tagIds: chunk,
        dryRun: true,
        filters: {},
        force,
      },
      () => Promise.resolve(false),
    );
    if (isPreempted(out)) throw new Error("a dry run cannot be preempted");
    // The core is ours (src/backfill): its results carry the reprocess fields the narrow interface omits.
    const results = (out as BatchResult).results;
    for (const result of results) {
      all.push(result);
      if (!json) {
        const line = formatTagLine(result);
        if (line !== undefined) process.stdout.write(`${line}\n`);
        for (const change of result.changes ?? [])
          process.stdout.write(`${formatChangeLine(result, change)}\n`);
      }
    }
  }
  const counts = tally(all);
  // One document: every tag's result with its changes, and the tally.
  if (json) process.stdout.write(`${JSON.stringify({ dryRun: true, summary: counts, tags: all })}\n`);
  else process.stdout.write(`dry run: ${formatTally(counts, true)}`);
  return counts.failed > 0 ? EXIT.failed : EXIT.ok;
}

interface RunSetup {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  core: BatchCore;
  ids: number[];
  force: boolean;
  batchSize: number;
  concurrency: number;
  opts: ReprocessOptions;
  bar: ProgressBar | undefined;
}

async function runReprocess(setup: RunSetup): Promise<number> {
  const { config, db, ids, force } = setup;
  // Every reprocess with an id list shares one target: refuse to resume another selection's run.
  const active = await findActiveRun(db, runTarget({}, false, ids));
  if (active !== undefined && !sameSelection(active.options, ids, force)) {
    throw new UsageError(
      `run ${String(active.id)} (${active.kind}, another selection) is active on target '${active.target}': ` +
        `wait for it, or \`backfill cancel ${String(active.id)}\``,
    );
  }
  const out = await runPass({
    db,
    logger: setup.logger,
    redisUrl: config.redisUrl,
    connectTimeoutMs: config.connectTimeoutMs,
    prefix: config.queuePrefix,
    concurrency: setup.concurrency,
    leaseMs: setup.opts.leaseSeconds * 1000,
    retry: DEFAULT_RETRY_POLICY,
    processBatch: setup.core.processBatch,
    jobs: JOB_TABLE,
    ...(setup.bar
      ? {
          onProgress: (estimate, progress) =>
            setup.bar?.render(estimate, progress.tags.backfilled_broken, progress.tags.failed),
        }
      : {}),
    run: {
      kind: "reprocess",
      filters: {},
      options: { tagIds: ids, includeMapped: force, force },
      dryRun: false,
      batchSize: setup.batchSize,
      startedBy: startedBy("cli"),
      config: redactedConfig(config, {
        concurrency: setup.concurrency,
        batchSize: setup.batchSize,
        signed: setup.core.signed,
      }),
      actor: operatorActor(),
    },
  });
  setup.bar?.finish();
  const runId = String(out.run.id);
  const verdict = passVerdict(out.run, out.progress, out.remaining, out.interrupted);
  const summary = await loadRunReprocessSummary(db, runId, PROBLEM_LINES);
  const failed = summary.counts.failed;
  const ok = verdict.ok && failed === 0;
  if (setup.opts.json) {
    const report = {
      runId,
      status: out.run.status,
      selected: ids.length,
      ...summary.counts,
      problems: summary.problems,
      ok,
      reason: verdict.reason,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    for (const p of summary.problems) {
      process.stdout.write(`${p.repositoryTagId}\t${p.display}\t${p.kind}\t${p.detail ?? ""}\n`);
    }
    const c = summary.counts;
    process.stdout.write(
      `reprocess run ${runId} ${out.run.status}: ${ids.length} tag(s) selected, ${c.mapped} mapped, ${c.repaired} repaired, ` +
        `${c.unchanged} unchanged, ${c.refused} refused, ${c.failed} failed (\`backfill status --run ${runId}\`)\n`,
    );
    if (!ok) process.stderr.write(`backfill: ${verdict.reason ?? `${failed} tag(s) failed`}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

function sameSelection(options: unknown, ids: readonly number[], force: boolean): boolean {
  const o = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>;
  const theirs = Array.isArray(o.tagIds) ? o.tagIds : [];
  return (
    (o.force === true) === force && theirs.length === ids.length && theirs.every((id, i) => id === ids[i])
  );
}

function parseSelection(opts: ReprocessOptions): ReprocessSelection {
  const selection: ReprocessSelection = {};
  if (opts.namespace !== undefined) {
    selection.namespace = parseNamespace(opts.namespace);
  }
  if (opts.repository !== undefined) {
    parseRepositoryRef(opts.repository);
    selection.repository = opts.repository;
  }
  if (opts.tagIds !== undefined) selection.tagIds = opts.tagIds;
  if (opts.idRange !== undefined) selection.idRange = opts.idRange;
  if (opts.reason !== undefined) {
    if (!KNOWN_REASONS.includes(opts.reason)) {
      throw new UsageError(
        `--reason: unknown reason code '${opts.reason}'; known: ${KNOWN_REASONS.join(", ")}`,
      );
    }
    selection.reason = opts.reason;
  }
  if (opts.allBroken === true) selection.allBroken = true;
  if (Object.keys(selection).length === 0) {
    throw new UsageError(
      "select the tags: --repository, --namespace, --tag-ids, --id-range, --reason or --all-broken",
    );
  }
  return selection;
}

function parseIds(raw: string): number[] {
  const parts = raw.split(",").map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part) || Number(part) < 1 || Number(part) > 2147483647)) {
    throw new UsageError(`--tag-ids expects repositorytag ids separated by commas, got '${raw}'`);
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

function parseRange(raw: string): { lo: number; hi: number } {
  const match = /^(\d+)-(\d+)$/.exec(raw);
  const lo = Number(match?.[1]);
  const hi = Number(match?.[2]);
  if (!match || lo < 1 || hi > 2147483647 || lo > hi) {
    throw new UsageError(`--id-range expects LO-HI with 1 <= LO <= HI, got '${raw}'`);
  }
  return { lo, hi };
}
