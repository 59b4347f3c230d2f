import type { TargetResult } from "./evaluate-targets.js";
import type { PassMetrics, ThroughputPoint } from "./pass-metrics.js";

export type Alg = "RS256" | "ES256";

export interface PassResult {
  size: number;
  alg: Alg;
  /** Wall time of `backfill seed` for this size (the same seeded database serves both passes). */
  seedMs: number;
  /** os.loadavg() when the pass started (absent in results written before it was recorded). */
  loadAvgAtStart?: number[];
  metrics: PassMetrics;
  throughput: ThroughputPoint[];
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
  notes: string[];
}
