import type { DbProcessBatch } from "../db/batch-store.js";
import type { Kysely } from "kysely";
import type { Config } from "../config.js";
import type { BatchProgress } from "../db/batch-progress.js";
import { loadRunReprocessSummary, type RunReprocessSummary } from "../db/load-run-reprocess-summary.js";
import { findActiveRun } from "../db/run-find-active.js";
import type { Database } from "../db/tables.js";
import { UsageError } from "../errors.js";
import type { Logger } from "../log.js";
import { DEFAULT_RETRY_POLICY } from "../queue/retry-policy.js";
import type { JobKind } from "./job-kind.js";
import type { ProgressEstimate } from "./progress-meter.js";
import { operatorActor, redactedConfig, startedBy } from "./run-audit.js";
import { runPass, type PassOutcome } from "./run-pass.js";
import { passVerdict, type PassVerdict } from "./run-summary.js";
import { runTarget } from "./run-target.js";

/** Refused and failed tags listed after a real run; the rest are in `backfill status --run`. */
const PROBLEM_LINES = 200;

export interface ReprocessPassSetup {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  processBatch: DbProcessBatch;
  /** Whether the batch core signs (recorded in the run's config). */
  signed: boolean;
  jobs: readonly JobKind[];
  ids: number[];
  force: boolean;
  batchSize: number;
  concurrency: number;
  leaseMs: number;
  onProgress?: (estimate: ProgressEstimate, progress: BatchProgress) => void;
  /** Called when the pass has ended, before its summary is read (a progress bar ends its line). */
  onDone?: () => void;
}

export interface ReprocessPassOutcome {
  out: PassOutcome;
  verdict: PassVerdict;
  summary: RunReprocessSummary;
  /** The pass completed and no tag failed. */
  ok: boolean;
}

/**
 * A reprocess as a run of kind reprocess over the selected ids (same ledger, queue and workers), refused
 * while another selection's reprocess run is active; then what it did, from the ledger.
 */
export async function reprocessPass(setup: ReprocessPassSetup): Promise<ReprocessPassOutcome> {
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
    leaseMs: setup.leaseMs,
    retry: DEFAULT_RETRY_POLICY,
    processBatch: setup.processBatch,
    jobs: setup.jobs,
    ...(setup.onProgress ? { onProgress: setup.onProgress } : {}),
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
        signed: setup.signed,
      }),
      actor: operatorActor(),
    },
  });
  setup.onDone?.();
  const verdict = passVerdict(out.run, out.progress, out.remaining, out.interrupted);
  const summary = await loadRunReprocessSummary(db, String(out.run.id), PROBLEM_LINES);
  return { out, verdict, summary, ok: verdict.ok && summary.counts.failed === 0 };
}

function sameSelection(options: unknown, ids: readonly number[], force: boolean): boolean {
  const o = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>;
  const theirs = Array.isArray(o.tagIds) ? o.tagIds : [];
  return (
    (o.force === true) === force && theirs.length === ids.length && theirs.every((id, i) => id === ids[i])
  );
}
