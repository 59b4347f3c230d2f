import type { RunRow } from "../db/tables.js";
import type { RunFilters } from "../backfill/batch-work.js";

/** The filters stored on a run row (jsonb), read back field by field rather than trusted. */
export function runFilters(run: Pick<RunRow, "filters">): RunFilters {
  const raw = (typeof run.filters === "object" && run.filters !== null ? run.filters : {}) as Record<
    string,
    unknown
  >;
  const filters: RunFilters = {};
  if (typeof raw.namespace === "string") filters.namespace = raw.namespace;
  if (typeof raw.repository === "string") filters.repository = raw.repository;
  return filters;
}
