import type { Config } from "../config.js";

/** The throttle's thresholds and probes (src/config.ts reads them from BACKFILL_* variables). */
export interface ThrottleSettings {
  maxReplicaLagS: number | undefined;
  criticalReplicaLagS: number | undefined;
  maxTransactionAgeS: number | undefined;
  criticalTransactionAgeS?: number | undefined;
  maxLockWaiters: number | undefined;
  maxConnectionUse: number | undefined;
  /** Vacuums allowed at once on the tables the backfill writes; the signal is off when undefined. */
  maxVacuums: number | undefined;
  /** WAL generation rate and requested checkpoints between readings (wal-signals.ts); off when undefined. */
  maxWalMbPerS?: number | undefined;
  maxRequestedCheckpoints?: number | undefined;
  /** Median probe query time (ms) that throttles (src/run/probe-latency.ts); not probed when undefined. */
  maxProbeLatencyMs?: number | undefined;
  /** Median durable-commit time (ms) that throttles (src/db/probe-commit-time.ts); not probed when undefined. */
  maxCommitLatencyMs?: number | undefined;
  /** SQL returning a row with a truthy first column while the backfill should hold back. */
  query: string | undefined;
  /** Anything but 200 within `urlTimeoutMs` holds the backfill back. */
  url: string | undefined;
  urlTimeoutMs: number;
  /** How long one verdict is reused: the signals are read at most this often per process. */
  pollMs: number;
  /** After each batch a delivery rests this many times the batch's duration (gh-ost's nice ratio); 0 or undefined: none. */
  niceRatio?: number | undefined;
  /** Rest after each batch by what a durable commit beside it goes through (src/run/pacer.ts); off when not true. */
  pacing?: boolean | undefined;
  /** The share of the time the pacer lets the application's commits be slowed; PACE_RULES' when undefined. */
  pacingSlowedShare?: number | undefined;
}

export function throttleSettings(config: Config): ThrottleSettings {
  return {
    maxReplicaLagS: config.maxReplicaLagS,
    criticalReplicaLagS: config.criticalReplicaLagS,
    maxTransactionAgeS: config.maxTransactionAgeS,
    maxLockWaiters: config.maxLockWaiters,
    maxConnectionUse: config.maxConnectionUse,
    maxVacuums: config.maxVacuums,
    maxWalMbPerS: config.maxWalMbPerS,
    maxRequestedCheckpoints: config.maxRequestedCheckpoints,
    maxProbeLatencyMs: config.maxProbeLatencyMs > 0 ? config.maxProbeLatencyMs : undefined,
    maxCommitLatencyMs: config.maxCommitLatencyMs > 0 ? config.maxCommitLatencyMs : undefined,
    query: config.throttleQuery,
    url: config.throttleUrl,
    urlTimeoutMs: config.throttleUrlTimeoutMs,
    pollMs: config.throttleCheckMs,
    niceRatio: config.niceRatio,
    pacing: config.pacing,
    pacingSlowedShare: config.pacingSlowedShare,
  };
}
