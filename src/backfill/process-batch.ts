import type { Logger } from "../log.js";
import type { BatchSigner } from "../signing/batch-signer.js";
import { assembleResult, type BatchToWrite } from "./assemble-result.js";
import type { BatchResult } from "./batch-result.js";
import type { BatchReads, BatchSession, BatchStore } from "./batch-store.js";
import type { BatchWork } from "./batch-work.js";
import { dryRunCounts } from "./dry-run-counts.js";
import type { Finalize } from "./finalize.js";
import { loadBatchIsolated } from "./load-isolated.js";
import { planBatch } from "./plan-batch.js";
import type { Preempted } from "./preempted.js";
import { prepareWrite, tagKeyOf, type PreparedWrite } from "./prepare-write.js";
import { applyRepairs, planRepairs } from "./repair-batch.js";
import type { MapPlan } from "./tag-plan.js";
import { writeIsolated } from "./write-isolated.js";
import type { WriteIds } from "./write-pass.js";

export interface BatchDeps<Tx> {
  store: BatchStore<Tx>;
  signer: BatchSigner | undefined;
  libraryNamespace: string;
  manifestMaxBytes: number;
  logger: Logger;
  now: () => Date;
}

/**
 * The batch core as the orchestration sees it (consumer-owned, docs/architecture.md): processBatch bound
 * to its dependencies. The handler takes it as a dependency so tests inject crashes and fakes.
 */
export type ProcessBatch<Tx> = (work: BatchWork, finalize: Finalize<Tx>) => Promise<BatchResult | Preempted>;

/** Thrown out of the write transaction when `finalize` says the lease is gone: everything rolls back. */
class LeaseLost extends Error {}

/**
 * One batch (docs/architecture.md): load everything in a fixed number of queries, plan every tag in memory,
 * sign the generated manifests, then write all rows, every tag's outcome and (through `finalize`, which
 * guards the lease) the batch's own status in one transaction. `finalize` returning false rolls it all back.
 */
export async function processBatch<Tx>(
  work: BatchWork,
  deps: BatchDeps<Tx>,
  finalize: Finalize<Tx>,
): Promise<BatchResult | Preempted> {
  const session = deps.store.session(work.runId);
  const started = performance.now();
  const enumIds = await session.loadEnumIds();
  const batch = await loadAndPlan(session, work, deps, started);
  const writeStarted = performance.now();
  if (work.dryRun) return dryRunBatch(session, batch, deps.now(), writeStarted);
  try {
    return await writeBatch(session, work, batch, { enumIds, now: deps.now, writeStarted, finalize });
  } catch (err) {
    if (err instanceof LeaseLost) return { preempted: true };
    throw err;
  }
}

async function loadAndPlan<Tx>(
  session: BatchSession<Tx>,
  work: BatchWork,
  deps: BatchDeps<Tx>,
  started: number,
): Promise<BatchToWrite> {
  const force = work.force === true;
  const facts = await loadBatchIsolated(
    session,
    {
      lo: work.lo,
      hi: work.hi,
      tagIds: work.tagIds,
      namespace: work.filters.namespace,
      repository: work.filters.repository,
    },
    force,
  );
  const loadMs = performance.now() - started;
  const { plans, planMs, signMs } = await planBatch(facts, {
    signer: deps.signer,
    libraryNamespace: deps.libraryNamespace,
    manifestMaxBytes: deps.manifestMaxBytes,
    force,
  });
  const allMapPlans = plans.filter((plan): plan is MapPlan => plan.kind === "map");
  // Unmapped tags are mapped as by a run; mapped ones (only planned with force) are compared and repaired.
  return {
    plans,
    allMapPlans,
    mapPlans: allMapPlans.filter((plan) => !plan.tag.mapped),
    forced: allMapPlans.filter((plan) => plan.tag.mapped),
    mappedIds: new Set(force ? plans.filter((plan) => plan.tag.mapped).map((plan) => plan.tag.id) : []),
    loadMs,
    planMs,
    signMs,
  };
}

/** The map plans checked against the database as it is now (tags mapped or written meanwhile). */
async function prepare(reads: BatchReads, mapPlans: readonly MapPlan[]): Promise<PreparedWrite> {
  const states = await reads.loadTagStates(mapPlans.map((plan) => plan.tag.id));
  const existingTags = await reads.loadExistingTags(mapPlans.map(tagKeyOf));
  return prepareWrite(mapPlans, states, existingTags);
}

/** A dry run: read-only lookups give what a run would write; nothing is locked, written or finalized. */
async function dryRunBatch<Tx>(
  session: BatchSession<Tx>,
  batch: BatchToWrite,
  now: Date,
  writeStarted: number,
): Promise<BatchResult> {
  const prepared = await prepare(session, batch.mapPlans);
  const wouldWrite = await dryRunCounts(session, prepared);
  const repairPlans = await planRepairs(session, batch.forced, now);
  let changes = 0;
  for (const repair of repairPlans.values()) if (repair.kind === "repair") changes += repair.changes.length;
  if (batch.forced.length > 0) wouldWrite["reprocess changes"] = changes;
  return assembleResult(
    batch,
    {
      prepared,
      written: { rows: {}, manifests: new Map(), dropped: new Map(), failed: new Map() },
      repaired: { plans: repairPlans, applied: new Map(), rows: {} },
      wouldWrite,
    },
    { dryRun: true, queries: session.queries, writeMs: performance.now() - writeStarted },
  );
}

/** The write transaction: rows, repairs, outcomes, and last `finalize`; a lost lease throws LeaseLost. */
async function writeBatch<Tx>(
  session: BatchSession<Tx>,
  work: BatchWork,
  batch: BatchToWrite,
  ctx: { enumIds: WriteIds; now: () => Date; writeStarted: number; finalize: Finalize<Tx> },
): Promise<BatchResult> {
  return session.transaction(async (writes, trx) => {
    await writes.preferLz4Toast();
    await writes.lockRepositoryTags(batch.allMapPlans.map((plan) => plan.tag.id));
    const prepared = await prepare(writes, batch.mapPlans);
    const written = await writeIsolated(writes, prepared.writable, ctx.enumIds);
    const repairPlans = await planRepairs(writes, batch.forced, ctx.now());
    const repairs = await applyRepairs(writes, batch.forced, repairPlans, ctx.enumIds);
    const outcome = assembleResult(
      batch,
      { prepared, written, repaired: { plans: repairPlans, ...repairs } },
      { dryRun: work.dryRun, queries: session.queries, writeMs: performance.now() - ctx.writeStarted },
    );
    await writes.upsertTagOutcomes(
      outcome.results.map((r) => ({ ...r, runId: work.runId, batchId: work.batchId })),
    );
    outcome.queries = session.queries;
    outcome.timings.writeMs = performance.now() - ctx.writeStarted;
    if (!(await ctx.finalize(trx, outcome))) throw new LeaseLost("the batch's lease was lost");
    return outcome;
  });
}
