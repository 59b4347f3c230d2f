import type { TargetResult } from "./evaluate-targets.js";
import type { LiveResult } from "./live-result.js";
import type { PassMetrics, ThroughputPoint } from "./pass-metrics.js";

export type Alg = "RS256" | "ES256";

/** PostgreSQL's CPU time over one measured span, in seconds (bench/io/postgres-cpu.ts). */
export interface PostgresCpu {
  /**
   * utime+stime of every backend that served the measured database (pg_stat_activity), each read from
   * /proc every sample: what the pass cost PostgreSQL.
   */
  databaseSec: number;
  /** Backends seen serving the database. */
  backends: number;
  /**
   * The part of databaseSec spent by autovacuum workers on the database (vacuuming and analyzing what the
   * pass inserted); absent in results from before it was measured.
   */
  autovacuumSec?: number;
  /**
   * The server's checkpointer, WAL writer and background writer, before/after: they write what every
   * session dirtied, so on a shared server this is an upper bound of the pass's share.
   */
  backgroundSec: number;
  wallMs: number;
}

/** One `--workers` step: N `backfill worker` processes on one run of one database. */
export interface ScaleOutRow {
  workers: number;
  size: number;
  alg: Alg;
  /** Tags the batches mapped or failed. */
  tags: number;
  /** From the first batch's start to the last batch's end, over every worker's log. */
  spanMs: number;
  tagsPerSec: number;
  pgCpu: PostgresCpu;
  /** PostgreSQL CPU (the database's backends) per tag. */
  pgCpuMsPerTag: number | undefined;
  /** PostgreSQL cores busy on average over the span. */
  pgCores: number;
  /** tags/s ÷ PostgreSQL cores used: what one database core sustains, to project to a larger server. */
  tagsPerSecPerPgCore: number | undefined;
  /** CPU time of the worker processes (all threads) per tag. */
  workerCpuMsPerTag: number | undefined;
  /** The highest peak RSS of one worker. */
  peakRssBytes: number;
}

export interface PassResult {
  size: number;
  alg: Alg;
  /** Wall time of `backfill seed` for this size (the same seeded database serves both passes). */
  seedMs: number;
  /** os.loadavg() when the pass started (absent in results written before it was recorded). */
  loadAvgAtStart?: number[];
  metrics: PassMetrics;
  throughput: ThroughputPoint[];
  /** PostgreSQL's CPU time during the pass; absent in older results. */
  pgCpu?: PostgresCpu;
}

export interface SigningLimit {
  payloadBytes: number;
  /** Wall-clock signatures per second on one thread. */
  rs256PerSec: number;
  /** The same in CPU time of the thread, for a shared machine. */
  rs256PerCpuSec: number;
  es256PerSec: number;
}

export interface RawInsertLimit {
  /** Rows one tag costs, by table (from the first RS256 pass's database). */
  rowsPerTag: Record<string, number>;
  tagsPerRound: number;
  rounds: number;
  /** Median over the rounds. */
  tagsPerSec: number;
  rowsPerSec: number;
  /** The backend's CPU time (utime+stime from /proc) over all rounds, per tag; absent in older results. */
  pgCpuMsPerTag?: number;
}

export interface BaselineLimit {
  size: number;
  sampleTags: number;
  sampleMs: number;
  tagsPerSec: number;
  queriesPerTag: number;
  /** sampleMs scaled to every candidate tag of `size`. */
  extrapolatedMs: number;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  command: string;
  /** The commit measured, with "+ uncommitted changes" when src/, jobs/ or migrations/ differed from it. */
  revision?: string;
  machine: {
    cpus: number;
    cpuModel: string;
    totalMemBytes: number;
    node: string;
    postgres: string;
    loadAvgStart: number[];
    loadAvgEnd: number[];
  };
  settings: {
    sizes: number[];
    batchSize: number;
    concurrency: number;
    algs: Alg[];
    /** The run children's environment from the Dockerfile (heap, allocator); absent in older results. */
    deploymentEnv?: string;
  };
  passes: PassResult[];
  limits: {
    signing: SigningLimit | undefined;
    rawInsert: RawInsertLimit | undefined;
    baseline: BaselineLimit | undefined;
  };
  targets: TargetResult[];
  /** `--workers`: one row per worker count; absent when not asked for. */
  scaleOut?: ScaleOutRow[];
  /** The live phases (the workload beside a backfill); absent with --no-live and in older results. */
  live?: LiveResult;
  notes: string[];
}
