import { parseArgs } from "node:util";
import { TOPOLOGIES, type Topology } from "./live-topology.js";

export interface LiveOptions {
  /** Tags seeded (the backfill's size). */
  tags: number;
  /** How long the workload runs alone (phase a). */
  seconds: number;
  /** The workload's operations per second in every phase. */
  rate: number;
  /** BACKFILL_TARGET_BATCH_SECONDS of the backfill runs (adaptive batch size). */
  targetBatchSeconds: number;
  outDir: string;
  readme: boolean;
  keepDatabases: boolean;
  /** Where the processes run (bench/lib/live-topology.ts); undefined: chosen by the machine's CPUs. */
  topology: Topology | undefined;
  /** `--nice-ratio`: a phase (d) with the default throttling and this BACKFILL_NICE_RATIO; none when undefined. */
  niceRatio: number | undefined;
}

export const LIVE_USAGE = `usage: npm run bench:live -- [options]
  One seeded registry; the application workload (npm run workload) measured (a) alone, (b) while
  \`backfill run\` maps a copy of the registry with the default throttling, (c) the same with every
  throttle threshold out of reach. Reports the workload's p99 ratios b/a (goal <= 1.5) and c/a, the
  backfill's tags/s under load, its throttled fraction, and the share of batches within +-50% of the
  target batch duration. Writes bench/results/live.{json,md} and README's live section.
  --tags N                   tags to seed (default 20000)
  --seconds N                seconds the workload runs alone (default 30); under a backfill it runs
                             from the run's start to its end
  --rate N                   workload operations per second (default 50)
  --target-batch-seconds N   the backfill's target batch duration (default 2)
  --out DIR                  results directory (default bench/results)
  --no-readme                leave README.md alone
  --keep-databases           do not drop the scratch databases (shared topology: a private server
                             is removed with its databases)
  --nice-ratio N             add a phase (d): the default throttling with BACKFILL_NICE_RATIO=N
  --topology separate|shared separate (the default on 2 or more CPUs): a private PostgreSQL server and
                             the workload pinned to CPU 0, the backfill to the other CPUs (taskset), as
                             in production where the workers have hosts of their own; shared: every
                             process unpinned on DATABASE_URL's server, competing for the same cores`;

export class LiveUsageError extends Error {
  override readonly name = "LiveUsageError";
}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new LiveUsageError(`${flag} expects a number from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

export function parseLiveOptions(argv: readonly string[]): LiveOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        tags: { type: "string" },
        seconds: { type: "string" },
        rate: { type: "string" },
        "target-batch-seconds": { type: "string" },
        out: { type: "string" },
        "no-readme": { type: "boolean" },
        "keep-databases": { type: "boolean" },
        topology: { type: "string" },
        "nice-ratio": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new LiveUsageError(err instanceof Error ? err.message : String(err));
  }
  const tags = number("--tags", values.tags, 20_000, 100, 10_000_000);
  if (!Number.isInteger(tags))
    throw new LiveUsageError(`--tags expects a whole number, got '${values.tags}'`);
  const topology = TOPOLOGIES.find((t) => t === values.topology);
  if (values.topology !== undefined && topology === undefined)
    throw new LiveUsageError(`--topology expects separate or shared, got '${values.topology}'`);
  return {
    tags,
    seconds: number("--seconds", values.seconds, 30, 1, 3600),
    rate: number("--rate", values.rate, 50, 1, 10_000),
    targetBatchSeconds: number("--target-batch-seconds", values["target-batch-seconds"], 2, 0.1, 3600),
    outDir: values.out ?? "bench/results",
    readme: values["no-readme"] !== true,
    keepDatabases: values["keep-databases"] === true,
    topology,
    niceRatio:
      values["nice-ratio"] === undefined
        ? undefined
        : number("--nice-ratio", values["nice-ratio"], 0, 0, 100),
  };
}
