/**
 * The application workload's plan, without I/O: which of Quay's hot operations to issue next and when.
 * Open loop: operation i is due at i / rate seconds whatever the earlier ones are doing, and its latency
 * counts from when it was due, so a stalled database shows up as latency instead of as a slower
 * generator (the coordinated-omission trap of closed-loop load).
 */

/** Quay's hot paths: pulls resolve a tag, then the manifest, then blobs; pushes write a tag and manifest. */
export const WORKLOAD_OPERATIONS = ["tag_legacy", "tag", "manifest_by_digest", "blob", "push"] as const;
export type WorkloadOperation = (typeof WORKLOAD_OPERATIONS)[number];

export type WorkloadMix = Record<WorkloadOperation, number>;

/** A registry is read far more than written: about one push per ten operations. */
export const DEFAULT_MIX: WorkloadMix = {
  tag_legacy: 15,
  tag: 25,
  manifest_by_digest: 25,
  blob: 25,
  push: 10,
};

/** The operation a uniform draw `r` (0 ≤ r < 1) picks, in proportion to the mix's weights. */
export function pickOperation(mix: WorkloadMix, r: number): WorkloadOperation {
  const total = WORKLOAD_OPERATIONS.reduce((sum, op) => sum + Math.max(0, mix[op]), 0);
  if (!(total > 0)) throw new RangeError("the workload mix has no positive weight");
  let left = r * total;
  for (const op of WORKLOAD_OPERATIONS) {
    const w = Math.max(0, mix[op]);
    if (left < w) return op;
    left -= w;
  }
  // r rounding up to 1: the last operation with a weight.
  return WORKLOAD_OPERATIONS.filter((op) => mix[op] > 0).at(-1) ?? "tag";
}

/** When operation `index` (from 0) is due, in milliseconds after the start, at `rate` per second. */
export function dueAtMs(index: number, rate: number): number {
  return (index * 1000) / rate;
}

/** How many operations are due by `elapsedMs` (those with dueAtMs < elapsedMs... and the one at 0). */
export function dueCount(elapsedMs: number, rate: number): number {
  if (elapsedMs < 0) return 0;
  return Math.floor((elapsedMs * rate) / 1000) + 1;
}
