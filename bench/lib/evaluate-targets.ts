import type { BenchResult, PassResult } from "./bench-result.js";

/** A measurement at one registry size. */
export interface AtSize {
  size: number;
  value: number;
}

/** The measurements issue 17's targets compare, all from one benchmark run. */
export interface TargetInputs {
  /** End-to-end tags/s with an RSA key, at the reference size. */
  rs256TagsPerSec: number | undefined;
  es256TagsPerSec: number | undefined;
  /** Tags/s the raw server-side insert of one tag's rows reaches. */
  rawInsertTagsPerSec: number | undefined;
  /** Tags/s of the one-tag-per-transaction baseline (extrapolated from a sample). */
  baselineTagsPerSec: number | undefined;
  /** PostgreSQL CPU ms per tag of the reference passes (the higher of the two keys). */
  pgCpuMsPerTag: number | undefined;
  /** PostgreSQL CPU ms per tag of the raw insert. */
  rawPgCpuMsPerTag: number | undefined;
  /** Run time at the smallest size and at the reference size (RS256, else ES256). */
  runSmall: AtSize | undefined;
  runReference: AtSize | undefined;
  /** Peak RSS at the largest size, and at the size it is compared with (the reference, else the smallest). */
  rssLargest: AtSize | undefined;
  rssBase: AtSize | undefined;
}

export type TargetStatus = "PASS" | "FAIL" | "not run";

export interface TargetResult {
  id: string;
  /** What is compared, in words. */
  label: string;
  /** The requirement, e.g. "≥ 1.0". */
  required: string;
  /** The measured ratio (or value), undefined when not run. */
  ratio: number | undefined;
  /** How the ratio was formed, with the numbers. */
  detail: string;
  status: TargetStatus;
}

const MB = 1024 * 1024;
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const sizeText = (n: number) => n.toLocaleString("en-US");
const known = (...values: (number | undefined)[]): boolean =>
  values.every((v) => v !== undefined && Number.isFinite(v) && v > 0);

interface Comparison {
  id: string;
  label: string;
  measured: number | undefined;
  reference: number | undefined;
  /** The bound on measured / reference. */
  bound: number;
  /** "at least" for rates, "at most" for costs. */
  atMost?: boolean;
  detail: (measured: number, reference: number) => string;
  notRun?: string;
}

function compare(c: Comparison): TargetResult {
  const required = `${c.atMost === true ? "≤" : "≥"} ${f1(c.bound)}`;
  const base = { id: c.id, label: c.label, required };
  if (!known(c.measured, c.reference)) {
    return { ...base, ratio: undefined, detail: c.notRun ?? "not measured", status: "not run" };
  }
  const [m, r] = [c.measured as number, c.reference as number];
  const ratio = m / r;
  const ok = c.atMost === true ? ratio <= c.bound : ratio >= c.bound;
  return { ...base, ratio, detail: c.detail(m, r), status: ok ? "PASS" : "FAIL" };
}

const vsRaw = (m: number, r: number) => `end to end ${f1(m)} tags/s / raw insert ${f1(r)} tags/s`;

/** Every target of issue 17 (and issue 6's per-tag baseline) as a ratio, PASS/FAIL, or "not run". */
export function evaluateTargets(input: TargetInputs): TargetResult[] {
  const results = [
    compare({
      id: "es256-vs-raw-insert",
      label: "ES256 end to end vs raw server-side insert rate",
      measured: input.es256TagsPerSec,
      reference: input.rawInsertTagsPerSec,
      bound: 0.8,
      detail: vsRaw,
    }),
    compare({
      id: "rs256-vs-raw-insert",
      label: "RS256 end to end vs raw server-side insert rate",
      measured: input.rs256TagsPerSec,
      reference: input.rawInsertTagsPerSec,
      bound: 0.6,
      detail: vsRaw,
    }),
    compare({
      id: "pg-cpu-vs-raw-insert",
      label: "PostgreSQL CPU per tag vs the raw insert's",
      measured: input.pgCpuMsPerTag,
      reference: input.rawPgCpuMsPerTag,
      bound: 1.3,
      atMost: true,
      detail: (m, r) => `end to end ${f2(m)} ms / raw insert ${f2(r)} ms`,
    }),
    compare({
      id: "vs-per-tag-baseline",
      label: "RS256 end to end vs per-tag baseline",
      measured: input.rs256TagsPerSec,
      reference: input.baselineTagsPerSec,
      bound: 5.0,
      detail: (m, r) => `end to end ${f1(m)} tags/s / baseline ${f1(r)} tags/s`,
    }),
    linearTarget(input.runSmall, input.runReference),
    memoryTarget(input.rssLargest, input.rssBase),
  ];
  return results;
}

/** Time grows at most 10% faster than the tags: ≤ 11 × from 10,000 to 100,000. */
function linearTarget(small: AtSize | undefined, big: AtSize | undefined): TargetResult {
  if (small === undefined || big === undefined || big.size <= small.size) {
    return {
      id: "linear",
      label: "time at 100,000 tags vs time at 10,000",
      required: "≤ 11.0",
      ratio: undefined,
      detail: "needs two sizes (default --sizes 10000,100000)",
      status: "not run",
    };
  }
  return compare({
    id: "linear",
    label: `time at ${sizeText(big.size)} tags vs time at ${sizeText(small.size)}`,
    measured: big.value,
    reference: small.value,
    bound: (1.1 * big.size) / small.size,
    atMost: true,
    detail: (m, r) => `${f1(m / 1000)} s / ${f1(r / 1000)} s`,
  });
}

/** The largest size's peak RSS: under 300 MB and ≤ 1.2 × the smaller size's (1,000,000 vs 100,000). */
function memoryTarget(largest: AtSize | undefined, base: AtSize | undefined): TargetResult {
  const required = "≤ 1.2 and < 300 MB";
  if (largest === undefined || base === undefined || largest.size <= base.size) {
    return {
      id: "rss",
      label: "peak RSS at 1,000,000 tags vs 100,000, and under 300 MB",
      required,
      ratio: undefined,
      detail: "needs a size above the reference (bench --tags 1000000)",
      status: "not run",
    };
  }
  const result = compare({
    id: "rss",
    label: `peak RSS at ${sizeText(largest.size)} tags vs ${sizeText(base.size)}, and under 300 MB`,
    measured: largest.value,
    reference: base.value,
    bound: 1.2,
    atMost: true,
    detail: (m, r) => `${f1(m / MB)} MB / ${f1(r / MB)} MB`,
  });
  if (result.status === "PASS" && largest.value >= 300 * MB) result.status = "FAIL";
  return { ...result, required };
}

/**
 * The inputs from a run's results: rates and PostgreSQL CPU at the reference size (the baseline ran on the
 * same registry), run time from the RS256 passes (else ES256), memory from the larger pass of a size
 * among the keys the largest size ran with.
 */
export function targetInputsOf(result: Pick<BenchResult, "passes" | "limits">): TargetInputs {
  const sizes = [...new Set(result.passes.map((p) => p.size))].sort((a, b) => a - b);
  const reference = referenceSize(sizes);
  const at = (size: number) => result.passes.filter((p) => p.size === size);
  const pass = (size: number, alg: string) => at(size).find((p) => p.alg === alg);
  const runAt = (size: number | undefined): AtSize | undefined => {
    if (size === undefined) return undefined;
    const p = pass(size, "RS256") ?? pass(size, "ES256");
    return p === undefined ? undefined : { size, value: p.metrics.runMs };
  };
  // Memory compares like with like: the keys of the largest size's passes at both sizes.
  const largestAlgs = new Set(at(sizes.at(-1) ?? 0).map((p) => p.alg));
  const rssAt = (size: number | undefined): AtSize | undefined => {
    const found =
      size === undefined
        ? []
        : at(size)
            .filter((p) => largestAlgs.has(p.alg))
            .map((p) => p.metrics.peakRssBytes);
    return size === undefined || found.length === 0 ? undefined : { size, value: Math.max(...found) };
  };
  const largest = sizes.at(-1);
  const smallest = sizes[0];
  return {
    rs256TagsPerSec: pass(reference, "RS256")?.metrics.tagsPerSec,
    es256TagsPerSec: pass(reference, "ES256")?.metrics.tagsPerSec,
    rawInsertTagsPerSec: result.limits.rawInsert?.tagsPerSec,
    baselineTagsPerSec: result.limits.baseline?.tagsPerSec,
    pgCpuMsPerTag: highest(at(reference).map(passPgCpuMsPerTag)),
    rawPgCpuMsPerTag: result.limits.rawInsert?.pgCpuMsPerTag,
    runSmall: runAt(smallest),
    runReference: runAt(reference),
    rssLargest: rssAt(largest),
    rssBase: rssAt(largest !== undefined && largest > reference ? reference : smallest),
  };
}

/** PostgreSQL CPU (the database's backends) per tag of a pass; undefined when not measured. */
export function passPgCpuMsPerTag(p: PassResult): number | undefined {
  return p.pgCpu === undefined || p.metrics.tags <= 0
    ? undefined
    : (p.pgCpu.databaseSec * 1000) / p.metrics.tags;
}

function highest(values: (number | undefined)[]): number | undefined {
  const found = values.filter((v): v is number => v !== undefined);
  return found.length > 0 ? Math.max(...found) : undefined;
}

/** The size whose passes the rate targets use: the largest up to 100,000, else the smallest. */
export function referenceSize(sizes: readonly number[]): number {
  const small = sizes.filter((s) => s <= 100_000);
  return small.length > 0 ? Math.max(...small) : Math.min(...sizes);
}
