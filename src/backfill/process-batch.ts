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
import { loadBatch } from "./load-batch.js";
import { planBatch } from "./plan-batch.js";
import { prepareWrite, tagKeyOf, type PreparedWrite } from "./prepare-write.js";
import { QueryCounter } from "./query-counter.js";
import type { MapPlan } from "./tag-plan.js";
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
  /** Reprocess mapped tags too (issue 5); until then they are reported as skipped. */
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

/**
 * One batch of spec §2: load everything in a fixed number of queries, plan every tag in memory, sign the
 * generated manifests, then write all rows, every tag's outcome and (through `finalize`, which guards
 * the lease) the batch's own status in one transaction. `finalize` returning false rolls it all back.
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
  const facts = await loadBatch(db, {
    lo: work.lo,
    hi: work.hi,
    tagIds: work.tagIds,
    namespace: work.filters.namespace,
    repository: work.filters.repository,
  });
  const loadMs = performance.now() - started;
  const { plans, planMs, signMs } = await planBatch(facts, {
    signer: deps.signer,
    libraryNamespace: deps.libraryNamespace,
    manifestMaxBytes: deps.manifestMaxBytes,
    force: work.force === true,
  });
  const mapPlans = plans.filter((plan): plan is MapPlan => plan.kind === "map");
  const writeStarted = performance.now();
  const prepare = async (handle: Kysely<Database>): Promise<PreparedWrite> => {
    const states = await loadTagStates(
      handle,
      mapPlans.map((plan) => plan.tag.id),
    );
    const existingTags = await loadExistingTags(handle, mapPlans.map(tagKeyOf));
    return prepareWrite(mapPlans, states, existingTags);
  };
  const finish = (prepared: PreparedWrite, written: IsolatedWrite, wouldWrite?: RowCounts): BatchResult => {
    const reused = new Map<number, number>();
    for (const item of prepared.writable)
      if (item.reuseTagId !== null) reused.set(item.plan.tag.id, item.reuseTagId);
    const results = tagResults(plans, prepared.dropped, written, reused);
    const counts: Record<TagOutcomeKind, number> = {
      backfilled: 0,
      backfilled_broken: 0,
      skipped: 0,
      failed: 0,
    };
    for (const result of results) counts[result.outcome]++;
    const rowsWritten = Object.values(written.rows).reduce((a, b) => a + b, 0);
    return {
      results,
      counts,
      timings: { loadMs, planMs, signMs, writeMs: performance.now() - writeStarted },
      queries: counter.count,
      rowsWritten,
      rowsByTable: written.rows,
      ...(wouldWrite === undefined ? {} : { wouldWrite }),
    };
  };

  if (work.dryRun) {
    const prepared = await prepare(db);
    const wouldWrite = await dryRunCounts(db, prepared);
    return finish(
      prepared,
      { rows: {}, manifests: new Map(), dropped: new Map(), failed: new Map() },
      wouldWrite,
    );
  }

  let result: BatchResult | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      await lockRepositoryTags(
        trx,
        mapPlans.map((plan) => plan.tag.id),
      );
      const prepared = await prepare(trx);
      const written = await writeIsolated(trx, prepared.writable, enumIds);
      const outcome = finish(prepared, written);
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
