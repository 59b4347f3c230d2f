import type { BatchResult } from "./batch-result.js";

/** The batch's lease was lost: nothing of it was written. */
export interface Preempted {
  preempted: true;
}

export function isPreempted(value: BatchResult | Preempted): value is Preempted {
  return "preempted" in value;
}
