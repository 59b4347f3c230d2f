/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between closest ranks (numpy's default),
 * so p50 of an even count is the mean of the middle two. NaN for no values.
 */
export function percentile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile: q must be within 0..1, got ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}
