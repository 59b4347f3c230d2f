import type { RunFilters } from "../backfill/batch-work.js";

/**
 * The name under which at most one run is active (backfill.run.target, unique while active). Scheduled
 * runs share `all` with a plain `run`, so a tick finds a running pass and leaves it alone; a dry run has
 * its own targets so it never blocks (or is blocked by) a real pass.
 */
export function runTarget(filters: RunFilters, dryRun: boolean, tagIds?: readonly number[] | null): string {
  let target = "all";
  if (filters.repository !== undefined) target = `repository:${filters.repository}`;
  else if (filters.namespace !== undefined) target = `namespace:${filters.namespace}`;
  if (tagIds) target = `${target}+ids`;
  return dryRun ? `dry-run:${target}` : target;
}
