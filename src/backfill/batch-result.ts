import type { TagOutcomeKind } from "./outcome-kinds.js";
import type { RepairChange } from "./repair-plan.js";
import type { RowCounts } from "./write-pass.js";

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
  /**
   * Mapped tags under --force: what the reprocess did (logged as tag.repaired / tag.repair_refused), and
   * every change (made, or with dryRun planned).
   */
  reprocess?: "repaired" | "unchanged" | "refused" | "failed";
  reprocessDetail?: string | null;
  changes?: RepairChange[];
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
  /** Statements sent to PostgreSQL by the batch itself (not by `finalize`). */
  queries: number;
  rowsWritten: number;
  /** Rows inserted by table. */
  rowsByTable: RowCounts;
  /** With `dryRun`: the rows a real run would insert, by table. */
  wouldWrite?: RowCounts;
}
