import type { Command } from "commander";
import { KNOWN_REASONS } from "../backfill/reasons.js";
import type { PrivilegeUse } from "../quay-schema/required-privileges.js";
import type { ReprocessSelection } from "../db/load-reprocess-tag-ids.js";
import { UsageError } from "../errors.js";
import { parseNamespace, parseRepositoryRef } from "../repository-ref.js";
import type { BatchCore } from "../run/batch-core.js";
import { heapLimitProblem } from "../run/heap-limit-check.js";
import { dryRunReprocess } from "../run/reprocess-dry-run.js";
import { reprocessPass, type ReprocessPassOutcome } from "../run/reprocess-pass.js";
import { selectReprocessTags } from "../run/reprocess-selection.js";
import { openRuntime, processApplicationName } from "../runtime/command-runtime.js";
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
  const force = opts.force === true;
  const dryRun = opts.dryRun === true;
  const bar = opts.progress !== false && !dryRun && process.stderr.isTTY ? new ProgressBar() : undefined;
  // With a bar on the terminal, info lines would tear it; warnings still show.
  const rt = openRuntime({ quiet: opts.json === true || bar !== undefined });
  const batchSize = opts.batchSize ?? rt.config.batchSize;
  const concurrency = opts.concurrency ?? rt.config.concurrency;
  const heapProblem = heapLimitProblem(batchSize, concurrency);
  if (heapProblem) throw new UsageError(heapProblem);
  try {
    const db = rt.database({
      max: concurrency + 3,
      logged: true,
      applicationName: processApplicationName("reprocess"),
      guards: "batch",
    });
    await rt.checkQuaySchema();
    await rt.checkPrivileges(reprocessUses(dryRun, force));
    const { ids, mappedLeftOut } = await selectReprocessTags(db, selection, force);
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
    const core = await rt.batchCore({ requireKey: !dryRun });
    if (dryRun) return await printDryRun(core, ids, batchSize, force, opts.json === true);
    const pass = await reprocessPass({
      config: rt.config,
      db,
      logger: rt.logger,
      processBatch: core.processBatch,
      signed: core.signed,
      jobs: rt.jobs,
      ids,
      force,
      batchSize,
      concurrency,
      leaseMs: opts.leaseSeconds * 1000,
      ...(bar
        ? {
            onProgress: (estimate, progress) =>
              bar.render(estimate, progress.tags.backfilled_broken, progress.tags.failed),
            onDone: () => bar.finish(),
          }
        : {}),
    });
    return printPass(pass, ids.length, opts.json === true);
  } finally {
    await rt.close();
  }
}

/** What reprocess does with the database: a dry run only reads; only --force repairs mapped tags. */
function reprocessUses(dryRun: boolean, force: boolean): PrivilegeUse[] {
  if (dryRun) return ["read"];
  return force ? ["read", "ledger", "write", "repair"] : ["read", "ledger", "write"];
}

/** The dry run's tags, one line each with their changes (or one JSON document), and the tally. */
async function printDryRun(
  core: BatchCore,
  ids: readonly number[],
  batchSize: number,
  force: boolean,
  json: boolean,
): Promise<number> {
  const all = await dryRunReprocess(core.processBatch, ids, batchSize, force, (result) => {
    if (!json) {
      const line = formatTagLine(result);
      if (line !== undefined) process.stdout.write(`${line}\n`);
      for (const change of result.changes ?? [])
        process.stdout.write(`${formatChangeLine(result, change)}\n`);
    }
  });
  const counts = tally(all);
  // One document: every tag's result with its changes, and the tally.
  if (json) process.stdout.write(`${JSON.stringify({ dryRun: true, summary: counts, tags: all })}\n`);
  else process.stdout.write(`dry run: ${formatTally(counts, true)}`);
  return counts.failed > 0 ? EXIT.failed : EXIT.ok;
}

/** A real run's problems and counts (or one JSON document); why it is not ok on stderr. */
function printPass(pass: ReprocessPassOutcome, selected: number, json: boolean): number {
  const { out, verdict, summary, ok } = pass;
  const runId = String(out.run.id);
  const failed = summary.counts.failed;
  if (json) {
    const report = {
      runId,
      status: out.run.status,
      selected,
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
      `reprocess run ${runId} ${out.run.status}: ${selected} tag(s) selected, ${c.mapped} mapped, ${c.repaired} repaired, ` +
        `${c.unchanged} unchanged, ${c.refused} refused, ${c.failed} failed (\`backfill status --run ${runId}\`)\n`,
    );
    if (!ok) process.stderr.write(`backfill: ${verdict.reason ?? `${failed} tag(s) failed`}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
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
