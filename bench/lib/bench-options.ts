import { parseArgs } from "node:util";
import type { Alg } from "./bench-result.js";

export interface BenchOptions {
  sizes: number[];
  algs: Alg[];
  /** Keys for the sizes above the reference (100,000): `--large-algs`, else `algs`. */
  largeAlgs: Alg[];
  /** Tags the per-tag baseline processes (its rate is extrapolated); 0 skips it. */
  baselineTags: number;
  /** Tags per round of the raw insert; 0 skips it. */
  rawInsertTags: number;
  /** Measure the limits (signing, raw insert, baseline). */
  limits: boolean;
  /** Run the backfill children under `node --cpu-prof`, profiles written here. */
  cpuProfDir: string | undefined;
  outDir: string;
  readme: boolean;
  keepDatabases: boolean;
  /** Scale-out mode: worker process counts to run against one database at the reference size (empty: off). */
  workers: number[];
  /** Run the live phases (bench/io/live-bench.ts, as `npm run bench:live` with its defaults) after the passes. */
  live: boolean;
}

export const DEFAULT_SIZES = [10_000, 100_000];
export const USAGE = `usage: npm run bench -- [options]
  --sizes 10000,100000   registry sizes to seed and backfill (default 10000,100000)
  --tags N               add a size, e.g. --tags 1000000 for the million (repeatable)
  --algs RS256,ES256     signing keys to run with (default both)
  --large-algs ES256     signing keys for the sizes above 100,000, e.g. the million (default: --algs)
  --baseline-tags N      tags the one-tag-per-transaction baseline processes (default 2000; 0 skips it)
  --raw-insert-tags N    tags per round of the raw generate_series insert (default 10000; 0 skips it)
  --no-limits            skip the signing, raw insert and baseline measurements
  --cpu-prof-dir DIR     run the backfill children under node --cpu-prof, profiles in DIR
  --out DIR              results directory (default bench/results)
  --no-readme            leave README.md alone
  --keep-databases       do not drop the scratch databases
  --workers 1,2,4        scale-out: N \`backfill worker\` processes on one run at the reference size, per N
                         (ES256 when run, else the first key); tags/s and PostgreSQL CPU per tag (default off)
  --no-live              skip the live phases: the application workload alone and beside a backfill with
                         and without throttling (npm run bench:live with its defaults runs them alone)`;

export class BenchUsageError extends Error {
  override readonly name = "BenchUsageError";
}

function count(flag: string, raw: string, min: number): number {
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min || n > 10_000_000) {
    throw new BenchUsageError(`${flag} expects a whole number from ${min} to 10,000,000, got '${raw}'`);
  }
  return n;
}

function workerCount(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 32) {
    throw new BenchUsageError(`--workers expects worker counts from 1 to 32, e.g. 1,2,4, got '${raw}'`);
  }
  return n;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        sizes: { type: "string" },
        tags: { type: "string", multiple: true },
        algs: { type: "string" },
        "large-algs": { type: "string" },
        "baseline-tags": { type: "string" },
        "raw-insert-tags": { type: "string" },
        "no-limits": { type: "boolean" },
        "cpu-prof-dir": { type: "string" },
        out: { type: "string" },
        "no-readme": { type: "boolean" },
        "keep-databases": { type: "boolean" },
        workers: { type: "string" },
        "no-live": { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchUsageError(err instanceof Error ? err.message : String(err));
  }
  const sizes =
    values.sizes === undefined
      ? [...DEFAULT_SIZES]
      : values.sizes.split(",").map((s) => count("--sizes", s.trim(), 100));
  for (const raw of values.tags ?? []) sizes.push(count("--tags", raw, 100));
  const algs = parseAlgs("--algs", values.algs ?? "RS256,ES256");
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    algs,
    largeAlgs: values["large-algs"] === undefined ? algs : parseAlgs("--large-algs", values["large-algs"]),
    baselineTags:
      values["baseline-tags"] === undefined ? 2000 : count("--baseline-tags", values["baseline-tags"], 0),
    rawInsertTags:
      values["raw-insert-tags"] === undefined
        ? 10_000
        : count("--raw-insert-tags", values["raw-insert-tags"], 0),
    limits: values["no-limits"] !== true,
    cpuProfDir: values["cpu-prof-dir"],
    outDir: values.out ?? "bench/results",
    readme: values["no-readme"] !== true,
    keepDatabases: values["keep-databases"] === true,
    workers:
      values.workers === undefined
        ? []
        : [...new Set(values.workers.split(",").map((s) => workerCount(s.trim())))].sort((a, b) => a - b),
    live: values["no-live"] !== true,
  };
}

function parseAlgs(flag: string, raw: string): Alg[] {
  const algs = raw.split(",").map((part): Alg => {
    const alg = part.trim().toUpperCase();
    if (alg !== "RS256" && alg !== "ES256")
      throw new BenchUsageError(`${flag} expects RS256 and/or ES256, got '${part}'`);
    return alg;
  });
  return [...new Set(algs)];
}
