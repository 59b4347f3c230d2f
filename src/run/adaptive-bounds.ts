import type { Config } from "../config.js";
import { heapSafeBatchSize } from "./heap-limit-check.js";

/** What a run records of its adaptive batch size (run.config), read back by adaptiveSettingsOf. */
export interface AdaptiveBounds {
  /** The wanted duration of one batch; 0: no adaptation. */
  targetBatchMs: number;
  minBatchSize: number;
  /** The effective maximum: BACKFILL_MAX_BATCH_SIZE, lowered to what this process's heap holds. */
  maxBatchSize: number;
  /** BACKFILL_MAX_BATCH_SIZE as configured. */
  configuredMaxBatchSize: number;
  /** The largest size the start-up heap check accepts at the run's concurrency. */
  heapMaxBatchSize: number;
}

/**
 * The adaptive bounds of a run started by this process at `concurrency` batches at once: the maximum is
 * never above what the heap check accepts (heap-limit-check.ts), the minimum never above the maximum.
 * `targetBatchMs` overrides the configured target (`run --target-batch-seconds`).
 */
export function adaptiveBounds(
  config: Pick<Config, "targetBatchMs" | "minBatchSize" | "maxBatchSize">,
  concurrency: number,
  targetBatchMs: number = config.targetBatchMs,
  heapMax: number = heapSafeBatchSize(concurrency),
): AdaptiveBounds {
  const maxBatchSize = Math.max(1, Math.min(config.maxBatchSize, heapMax));
  return {
    targetBatchMs,
    minBatchSize: Math.min(config.minBatchSize, maxBatchSize),
    maxBatchSize,
    configuredMaxBatchSize: config.maxBatchSize,
    heapMaxBatchSize: heapMax,
  };
}
