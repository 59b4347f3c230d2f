/** The tags a run or reprocess selects by name. */
export interface RunFilters {
  namespace?: string;
  /** `namespace/name` */
  repository?: string;
}

/** One batch as the ledger hands it to the core. */
export interface BatchWork {
  runId: string;
  batchId: string;
  lo: number;
  hi: number;
  tagIds: readonly number[] | null;
  dryRun: boolean;
  filters: RunFilters;
  /** Recompute mapped tags too and repair what differs (reprocess --force). */
  force?: boolean;
}
