import type { ThrottleSettings } from "../../src/run/throttle-settings.js";

/**
 * Throttle settings with every server-wide signal off, so only what a test turns on (`on`) can hold a run
 * back; signals are read every 150 ms and a throttle URL may take 300 ms.
 */
export function quietThrottle(on: Partial<ThrottleSettings> = {}): ThrottleSettings {
  return {
    maxReplicaLagS: undefined,
    criticalReplicaLagS: undefined,
    maxTransactionAgeS: undefined,
    maxLockWaiters: undefined,
    maxConnectionUse: undefined,
    maxVacuums: undefined,
    query: undefined,
    url: undefined,
    urlTimeoutMs: 300,
    pollMs: 150,
    ...on,
  };
}
