import type { Kysely, Transaction } from "kysely";
import { loadEnumIds } from "../db/load-enum-ids.js";
import { loadExistingTags } from "../db/load-existing-tags.js";
import { loadTagStates } from "../db/load-tag-states.js";
import type { Database, TagOutcomeKind } from "../db/tables.js";
import { lockRepositoryTags } from "../db/write-tag-locks.js";
import { upsertTagOutcomes } from "../db/write-tag-outcomes.js";
import type { Logger } from "../log.js";
import type { BatchSigner } from "../signing/batch-signer.js";
import { tagResults } from "./batch-results.js";
import { dryRunCounts } from "./dry-run-counts.js";
import { loadBatchIsolated } from "./load-isolated.js";
import { planBatch } from "./plan-batch.js";
import { prepareWrite, tagKeyOf, type PreparedWrite } from "./prepare-write.js";
import type { RepairChange } from "./plan-repair.js";
import { QueryCounter } from "./query-counter.js";
import {
  applyRepairs,
  planRepairs,
  repairResult,
  type AppliedOrFailed,
  type PlannedRepair,
} from "./repair-batch.js";
import type { MapPlan } from "./tag-plan.js";
import { preferLz4Toast } from "./toast-compression.js";
import { writeIsolated, type IsolatedWrite } from "./write-isolated.js";
import type { RowCounts } from "./write-pass.js";

export interface BatchWork {
  runId: string;
  batchId: string;
  lo: number;
  hi: number;
  tagIds: readonly number[] | null;
  dryRun: boolean;
  filters: { namespace?: string; repository?: string /* ns/repo */ };
  /** Recompute mapped tags too and repair what differs (reprocess --force). */
  force?: boolean;
}

export interface BatchDeps {
  db: Kysely<Database>;
  signer: BatchSigner | undefined;
  libraryNamespace: string;
  manifestMaxBytes: number;
  logger: Logger;
  now: () => Date;
}

export interface TagResult {
  repositoryTagId: number;
  /** `namespace/repository`. */
  repository: string;
  tag: string;
  outcome: TagOutcomeKind;
  reason: string | null;
  detail: string | null;
  manifestDigest: string | null;
  rewrittenIds: number;
  /** Mapped tags under --force: what the reprocess did, and every change (made, or with dryRun planned). */
  reprocess?: "repaired" | "unchanged" | "refused" | "failed";
  reprocessDetail?: string | null;
  changes?: RepairChange[];
}

export interface BatchResult {
  results: TagResult[];
  counts: Record<TagOutcomeKind, number>;
  timings: { loadMs: number; planMs: number; signMs: number; writeMs: number };
  /** Statements sent to PostgreSQL by the batch itself (not by `finalize`). */
  queries: number;
  rowsWritten: number;
  /** Rows inserted by table. */
  rowsByTable: RowCounts;
  /** With `dryRun`: the rows a real run would insert, by table. */
  wouldWrite?: RowCounts;
}

class Preempted extends Error {}

/** The repairs of a batch's mapped tags (reprocess --force): planned, and applied unless a dry run. */
interface Repaired {
  plans: Map<number, PlannedRepair>;
  applied: Map<number, AppliedOrFailed>;
  rows: RowCounts;
}

/**
 * One batch (docs/architecture.md): load everything in a fixed number of queries, plan every tag in memory,
 * sign the generated manifests, then write all rows, every tag's outcome and (through `finalize`, which
 * guards the lease) the batch's own status in one transaction. `finalize` returning false rolls it all back.
 */
export async function processBatch(
  work: BatchWork,
  deps: BatchDeps,
  finalize: (trx: Transaction<Database>, result: BatchResult) => Promise<boolean>,
): Promise<BatchResult | { preempted: true }> {
  const counter = new QueryCounter();
  const db = deps.db.withPlugin(counter);
  const started = performance.now();
  const enumIds = await loadEnumIds(db, deps.db);
  const force = work.force === true;
  const facts = await loadBatchIsolated(
    db,
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
  const mapPlans = allMapPlans.filter((plan) => !plan.tag.mapped);
  const forced = allMapPlans.filter((plan) => plan.tag.mapped);
  const mappedIds = new Set(force ? plans.filter((plan) => plan.tag.mapped).map((plan) => plan.tag.id) : []);
  const writeStarted = performance.now();
  const prepare = async (handle: Kysely<Database>): Promise<PreparedWrite> => {
    const states = await loadTagStates(
      handle,
      mapPlans.map((plan) => plan.tag.id),
    );
    const existingTags = await loadExistingTags(handle, mapPlans.map(tagKeyOf));
    return prepareWrite(mapPlans, states, existingTags);
  };
  const finish = (
    prepared: PreparedWrite,
    written: IsolatedWrite,
    repaired: Repaired,
    wouldWrite?: RowCounts,
  ): BatchResult => {
    const reused = new Map<number, number>();
    for (const item of prepared.writable)
      if (item.reuseTagId !== null) reused.set(item.plan.tag.id, item.reuseTagId);
    const repairedById = new Map(forced.map((plan) => [plan.tag.id, plan]));
    const results = tagResults(
      plans.filter((plan) => !repairedById.has(plan.tag.id)),
      prepared.dropped,
      written,
      reused,
    );
    for (const plan of forced) {
      const repair = repaired.plans.get(plan.tag.id) ?? { kind: "gone", detail: "not planned" };
      results.push(repairResult(plan, repair, repaired.applied.get(plan.tag.id), work.dryRun));
    }
    results.sort((a, b) => a.repositoryTagId - b.repositoryTagId);
    for (const result of results) {
      // A mapped tag that could not even be planned keeps its mapping and its recorded outcome.
      if (
        result.outcome === "failed" &&
        result.reprocess === undefined &&
        mappedIds.has(result.repositoryTagId)
      ) {
        result.reprocess = "failed";
        result.reprocessDetail = result.detail;
      }
    }
    const counts: Record<TagOutcomeKind, number> = {
      backfilled: 0,
      backfilled_broken: 0,
      skipped: 0,
      failed: 0,
    };
    for (const result of results) counts[result.outcome]++;
    const rowsByTable = { ...written.rows };
    for (const [table, n] of Object.entries(repaired.rows))
      rowsByTable[table] = (rowsByTable[table] ?? 0) + n;
    const rowsWritten = Object.values(rowsByTable).reduce((a, b) => a + b, 0);
    return {
      results,
      counts,
      timings: { loadMs, planMs, signMs, writeMs: performance.now() - writeStarted },
      queries: counter.count,
      rowsWritten,
      rowsByTable,
      ...(wouldWrite === undefined ? {} : { wouldWrite }),
    };
  };

  if (work.dryRun) {
    const prepared = await prepare(db);
    const wouldWrite = await dryRunCounts(db, prepared);
    const repairPlans = await planRepairs(db, forced, deps.now());
    let changes = 0;
    for (const repair of repairPlans.values()) if (repair.kind === "repair") changes += repair.changes.length;
    if (forced.length > 0) wouldWrite["reprocess changes"] = changes;
    return finish(
      prepared,
      { rows: {}, manifests: new Map(), dropped: new Map(), failed: new Map() },
      { plans: repairPlans, applied: new Map(), rows: {} },
      wouldWrite,
    );
  }

  let result: BatchResult | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      await preferLz4Toast(deps.db, trx);
      await lockRepositoryTags(
        trx,
        allMapPlans.map((plan) => plan.tag.id),
      );
      const prepared = await prepare(trx);
      const written = await writeIsolated(trx, prepared.writable, enumIds);
      const repairPlans = await planRepairs(trx, forced, deps.now());
      const repairs = await applyRepairs(trx, forced, repairPlans, enumIds);
      const outcome = finish(prepared, written, { plans: repairPlans, ...repairs });
      await upsertTagOutcomes(
        trx,
        outcome.results.map((r) => ({ ...r, runId: work.runId, batchId: work.batchId })),
      );
      outcome.queries = counter.count;
      outcome.timings.writeMs = performance.now() - writeStarted;
      if (!(await finalize(trx, outcome))) throw new Preempted("the batch's lease was lost");
      result = outcome;
    });
  } catch (err) {
    if (err instanceof Preempted) return { preempted: true };
    throw err;
  }
  if (result === undefined) throw new Error("the write transaction ended without a result");
  return result;
}
