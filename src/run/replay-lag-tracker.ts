/**
 * Replay lag from the primary's side, honest while a replica's replay is stopped. PostgreSQL's own
 * `pg_stat_replication.replay_lag` is computed when the standby reports (every
 * `wal_receiver_status_interval`, 10 s by default, or when new WAL arrives), so with replay paused and
 * little WAL flowing it stays at its last value for up to that interval, and after the replica catches
 * up it may keep showing a stale value for a while. Here the checker remembers when the primary's WAL
 * position passed each LSN (one sample per reading); a replica's lag is the age of the oldest sample it has
 * not replayed, and never less than PostgreSQL's figure while WAL remains to replay. A replica with
 * nothing to replay has lag 0.
 */

/** One replica in pg_stat_replication. */
export interface ReplicaPosition {
  /** `replay_lsn` as text (`16/B374D848`). */
  replayLsn: string;
  /** `replay_lag` in seconds; 0 when PostgreSQL reports none. */
  replayLagS: number;
}

interface Sample {
  atMs: number;
  lsn: bigint;
}

/** `X/Y` (two hex halves) as one number, so positions compare. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`not a WAL position: '${text}'`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** More samples than this are thinned: at one reading a second, an hour at full resolution. */
const MAX_SAMPLES = 4096;

export class ReplayLagTracker {
  /** Increasing in both time and LSN. */
  private samples: Sample[] = [];

  /**
   * Records the primary's WAL position at `atMs` and returns the largest replay lag of `replicas`, in
   * seconds. The lag resolution is the interval between calls.
   */
  observe(atMs: number, currentLsn: string, replicas: readonly ReplicaPosition[]): number {
    const current = parseLsn(currentLsn);
    const last = this.samples.at(-1);
    if (!last || current > last.lsn) this.samples.push({ atMs, lsn: current });
    let lag = 0;
    let oldestReplayed: bigint | undefined;
    for (const replica of replicas) {
      const replayed = parseLsn(replica.replayLsn);
      if (oldestReplayed === undefined || replayed < oldestReplayed) oldestReplayed = replayed;
      if (replayed >= current) continue;
      // The first position seen beyond what the replica replayed was written by then, at the latest.
      const pending = this.samples.find((s) => s.lsn > replayed);
      const age = pending ? (atMs - pending.atMs) / 1000 : 0;
      lag = Math.max(lag, age, replica.replayLagS);
    }
    this.prune(oldestReplayed ?? current);
    return lag;
  }

  /** Drops samples every replica has replayed, keeping the newest of them (the order's anchor). */
  private prune(replayed: bigint): void {
    let drop = 0;
    while (drop + 1 < this.samples.length && (this.samples[drop + 1]?.lsn ?? 0n) <= replayed) drop++;
    if (drop > 0) this.samples.splice(0, drop);
    // Thinned rather than cut, so the oldest unreplayed position keeps its time (coarser in between).
    if (this.samples.length > MAX_SAMPLES) this.samples = this.samples.filter((_, i) => i < 2 || i % 2 === 0);
  }
}
