import type { RunLiveness } from "../db/run-liveness.js";

/** A running run with no live lease and nothing claimed or settled for this long has no worker. */
export const IDLE_AFTER_SECONDS = 60;

/**
 * True when a running run has no worker: no batch under a live lease, no batch claimed or settled in
 * the last IDLE_AFTER_SECONDS, and it has been running at least that long (a run just started or resumed
 * gets time for its first claim). Its rate and ETA would then be fiction.
 */
export function noWorker(status: string, liveness: RunLiveness, runningForSeconds: number): boolean {
  if (status !== "running" || liveness.liveLeases > 0) return false;
  const idle = Math.min(liveness.idleSeconds ?? Infinity, runningForSeconds);
  return idle > IDLE_AFTER_SECONDS;
}
