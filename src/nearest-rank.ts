/**
 * The `q` quantile (0 < q ≤ 1) of `values` by the nearest rank: the smallest value with at least that
 * share of the values at or below it. Undefined for no values.
 */
export function nearestRank(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}
