import type { Transaction } from "kysely";
import type { Database, TagOutcomeKind } from "../db/tables.js";

/**
 * The batch core as the orchestration sees it (consumer-owned, docs/architecture.md): the shape of
 * `processBatch` in src/backfill/process-batch.ts. The handler takes it as a dependency so tests inject
 * crashes and fakes without touching the core.
 */
export interface BatchWork {
  runId: string;
  batchId: string;
  lo: number;
  hi: number;
  tagIds: readonly number[] | null;
  dryRun: boolean;
  filters: RunFilters;
  force?: boolean;
}

export interface RunFilters {
  namespace?: string;
  /** `namespace/name` */
  repository?: string;
}

export interface TagResult {
  repositoryTagId: number;
  repository: string;
  tag: string;
  outcome: TagOutcomeKind;
  reason: string | null;
  detail: string | null;
  manifestDigest: string | null;
  rewrittenIds: number;
  /** reprocess --force on a mapped tag: what it did (logged as tag.repaired / tag.repair_refused). */
  reprocess?: "repaired" | "unchanged" | "refused" | "failed";
  reprocessDetail?: string | null;
  changes?: readonly { table: string; column: string }[];
}

export interface BatchTimings {
  loadMs: number;
  planMs: number;
  signMs: number;
  writeMs: number;
}

export interface BatchResult {
  results: TagResult[];
  counts: Record<TagOutcomeKind, number>;
  timings: BatchTimings;
  queries: number;
  rowsWritten: number;
  /** Dry run: the rows a real run would insert, by table. */
  wouldWrite?: Record<string, number>;
}

export interface Preempted {
  preempted: true;
}

/** Runs last inside the batch's write transaction; false rolls everything back (the lease was lost). */
export type Finalize = (trx: Transaction<Database>, result: BatchResult) => Promise<boolean>;

export type ProcessBatch = (work: BatchWork, finalize: Finalize) => Promise<BatchResult | Preempted>;

export function isPreempted(value: BatchResult | Preempted): value is Preempted {
  return "preempted" in value;
}

export const OUTCOME_KINDS: readonly TagOutcomeKind[] = [
  "backfilled",
  "backfilled_broken",
  "skipped",
  "failed",
];

export function emptyCounts(): Record<TagOutcomeKind, number> {
  return { backfilled: 0, backfilled_broken: 0, skipped: 0, failed: 0 };
}
