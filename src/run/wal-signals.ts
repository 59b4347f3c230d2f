import type { SignalReading } from "./throttle-decision.js";

/** Cumulative counters (src/db/load-wal-counters.ts) with the time they were read. */
export interface WalSample {
  atMs: number;
  walBytes: number;
  requestedCheckpoints: number;
}

export interface WalThresholds {
  /** Throttle above this many MB of WAL per second; off when undefined. */
  maxWalMbPerS?: number | undefined;
  /** Throttle above this many checkpoints requested between two readings; off when undefined. */
  maxRequestedCheckpoints?: number | undefined;
}

const MB = 1024 * 1024;

/**
 * The WAL generation rate and the checkpoint pressure between two readings: bytes of WAL per second, and
 * checkpoints requested since the previous reading (a checkpoint requested by WAL volume means
 * max_wal_size is reached before checkpoint_timeout). Without a previous reading, or across a counter
 * reset (a value going back), both read 0: there is nothing to compare yet.
 */
export function walReadings(
  previous: WalSample | undefined,
  current: WalSample,
  t: WalThresholds,
): SignalReading[] {
  const seconds = previous ? (current.atMs - previous.atMs) / 1000 : 0;
  const bytes = previous ? current.walBytes - previous.walBytes : 0;
  const rate = seconds > 0 && bytes > 0 ? bytes / seconds : 0;
  const requested = previous ? Math.max(0, current.requestedCheckpoints - previous.requestedCheckpoints) : 0;
  return [
    {
      name: "wal_rate",
      label: "WAL rate",
      value: rate,
      unit: "bytes_per_second",
      max: t.maxWalMbPerS === undefined ? undefined : t.maxWalMbPerS * MB,
    },
    {
      name: "requested_checkpoints",
      label: "requested checkpoints",
      value: requested,
      unit: "count",
      max: t.maxRequestedCheckpoints,
    },
  ];
}
