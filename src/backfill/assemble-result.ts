import type { BatchResult } from "./batch-result.js";
import { tagResults } from "./batch-results.js";
import { emptyCounts } from "./outcome-kinds.js";
import type { PreparedWrite } from "./prepare-write.js";
import { repairResult, type AppliedOrFailed, type PlannedRepair } from "./repair-batch.js";
import type { MapPlan, TagPlan } from "./tag-plan.js";
import type { IsolatedWrite } from "./write-isolated.js";
import type { RowCounts } from "./write-pass.js";

/** A batch as planned, before anything is written: what processBatch writes and reports. */
export interface BatchToWrite {
  plans: TagPlan[];
  /** Every map plan: the tags whose locks the write takes. */
  allMapPlans: MapPlan[];
  /** Unmapped tags, mapped as by a run. */
  mapPlans: MapPlan[];
  /** Mapped tags (only planned with force): compared and repaired. */
  forced: MapPlan[];
  /** Tags mapped when loaded (with force). */
  mappedIds: Set<number>;
  loadMs: number;
  planMs: number;
  signMs: number;
}

/** The repairs of a batch's mapped tags (reprocess --force): planned, and applied unless a dry run. */
export interface Repaired {
  plans: Map<number, PlannedRepair>;
  applied: Map<number, AppliedOrFailed>;
  rows: RowCounts;
}

export interface WrittenBatch {
  prepared: PreparedWrite;
  written: IsolatedWrite;
  repaired: Repaired;
  wouldWrite?: RowCounts;
}

/** The batch's result: every tag's outcome, the counts, and the costs so far. */
export function assembleResult(
  batch: BatchToWrite,
  done: WrittenBatch,
  cost: { dryRun: boolean; queries: number; writeMs: number },
): BatchResult {
  const { prepared, written, repaired, wouldWrite } = done;
  const reused = new Map<number, number>();
  for (const item of prepared.writable)
    if (item.reuseTagId !== null) reused.set(item.plan.tag.id, item.reuseTagId);
  const repairedById = new Map(batch.forced.map((plan) => [plan.tag.id, plan]));
  const results = tagResults(
    batch.plans.filter((plan) => !repairedById.has(plan.tag.id)),
    prepared.dropped,
    written,
    reused,
  );
  for (const plan of batch.forced) {
    const repair = repaired.plans.get(plan.tag.id) ?? { kind: "gone", detail: "not planned" };
    results.push(repairResult(plan, repair, repaired.applied.get(plan.tag.id), cost.dryRun));
  }
  results.sort((a, b) => a.repositoryTagId - b.repositoryTagId);
  for (const result of results) {
    // A mapped tag that could not even be planned keeps its mapping and its recorded outcome.
    if (
      result.outcome === "failed" &&
      result.reprocess === undefined &&
      batch.mappedIds.has(result.repositoryTagId)
    ) {
      result.reprocess = "failed";
      result.reprocessDetail = result.detail;
    }
  }
  const counts = emptyCounts();
  for (const result of results) counts[result.outcome]++;
  const rowsByTable = { ...written.rows };
  for (const [table, n] of Object.entries(repaired.rows)) rowsByTable[table] = (rowsByTable[table] ?? 0) + n;
  const rowsWritten = Object.values(rowsByTable).reduce((a, b) => a + b, 0);
  return {
    results,
    counts,
    timings: { loadMs: batch.loadMs, planMs: batch.planMs, signMs: batch.signMs, writeMs: cost.writeMs },
    queries: cost.queries,
    rowsWritten,
    rowsByTable,
    ...(wouldWrite === undefined ? {} : { wouldWrite }),
  };
}
