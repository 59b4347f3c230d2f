import type { BenchResult } from "./bench-result.js";

/** The measurements the targets compare, all from one benchmark run. */
export interface TargetInputs {
  /** End-to-end tags/s with an RSA key, at the largest default size run. */
  rs256TagsPerSec: number | undefined;
  es256TagsPerSec: number | undefined;
  /**
   * Single-core node:crypto RS256 signatures/s on a manifest-sized payload, per second of the thread's
   * CPU time: what one core can sign, whatever other sessions take from it while it is measured.
   */
  signRatePerSec: number | undefined;
  /** Tags/s the raw server-side insert of one tag's rows reaches. */
  rawInsertTagsPerSec: number | undefined;
  /** Tags/s of the one-tag-per-transaction baseline (extrapolated from a sample). */
  baselineTagsPerSec: number | undefined;
  /** Run time (RS256) at 10,000 and 100,000 tags. */
  runMs10k: number | undefined;
  runMs100k: number | undefined;
  /** Peak RSS of the run child at 100,000 and 1,000,000 tags (the larger of the two passes). */
  peakRss100k: number | undefined;
  peakRss1m: number | undefined;
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
const known = (...values: (number | undefined)[]): boolean =>
  values.every((v) => v !== undefined && Number.isFinite(v) && v > 0);

function ratioTarget(
  id: string,
  label: string,
  measured: number | undefined,
  reference: number | undefined,
  atLeast: number,
  names: [string, string],
  unit: string,
): TargetResult {
  const required = `≥ ${atLeast.toFixed(1)}`;
  if (!known(measured, reference)) {
    return { id, label, required, ratio: undefined, detail: "not measured", status: "not run" };
  }
  const ratio = (measured as number) / (reference as number);
  return {
    id,
    label,
    required,
    ratio,
    detail: `${names[0]} ${f1(measured as number)} ${unit} / ${names[1]} ${f1(reference as number)} ${unit}`,
    status: ratio >= atLeast ? "PASS" : "FAIL",
  };
}

/** Every target of issue 6 as a ratio, PASS/FAIL, or "not run" when an input is missing. */
export function evaluateTargets(input: TargetInputs): TargetResult[] {
  const results: TargetResult[] = [
    ratioTarget(
      "rs256-vs-signing",
      "RS256 end to end vs single-core signing rate",
      input.rs256TagsPerSec,
      input.signRatePerSec,
      1.0,
      ["end to end", "one core signing (CPU time)"],
      "/s",
    ),
    ratioTarget(
      "es256-vs-raw-insert",
      "ES256 end to end vs raw server-side insert rate",
      input.es256TagsPerSec,
      input.rawInsertTagsPerSec,
      0.5,
      ["end to end", "raw insert"],
      "tags/s",
    ),
    ratioTarget(
      "vs-per-tag-baseline",
      "RS256 end to end vs per-tag baseline",
      input.rs256TagsPerSec,
      input.baselineTagsPerSec,
      5.0,
      ["end to end", "baseline"],
      "tags/s",
    ),
  ];

  const linear: TargetResult = {
    id: "linear-100k",
    label: "time at 100,000 tags vs time at 10,000",
    required: "≤ 11.0",
    ratio: undefined,
    detail: "not measured",
    status: "not run",
  };
  if (known(input.runMs10k, input.runMs100k)) {
    linear.ratio = (input.runMs100k as number) / (input.runMs10k as number);
    linear.detail = `${f1((input.runMs100k as number) / 1000)} s / ${f1((input.runMs10k as number) / 1000)} s`;
    linear.status = linear.ratio <= 11 ? "PASS" : "FAIL";
  }
  results.push(linear);

  const memory: TargetResult = {
    id: "rss-1m",
    label: "peak RSS at 1,000,000 tags vs 100,000, and under 300 MB",
    required: "≤ 1.2 and < 300 MB",
    ratio: undefined,
    detail: "1,000,000 tags not run (bench --tags 1000000)",
    status: "not run",
  };
  if (known(input.peakRss100k, input.peakRss1m)) {
    const big = input.peakRss1m as number;
    memory.ratio = big / (input.peakRss100k as number);
    memory.detail = `${f1(big / MB)} MB / ${f1((input.peakRss100k as number) / MB)} MB`;
    memory.status = memory.ratio <= 1.2 && big < 300 * MB ? "PASS" : "FAIL";
  }
  results.push(memory);
  return results;
}

/**
 * The inputs from a run's results: rate targets at the largest size up to 100,000 (the baseline ran on
 * the same registry), the linear target from the RS256 passes, memory from the larger pass of a size.
 */
export function targetInputsOf(result: Pick<BenchResult, "passes" | "limits">): TargetInputs {
  const reference = referenceSize(result.passes.map((p) => p.size));
  const pass = (size: number, alg: string) =>
    result.passes.find((p) => p.size === size && p.alg === alg)?.metrics;
  const peak = (size: number) => {
    const found = result.passes.filter((p) => p.size === size).map((p) => p.metrics.peakRssBytes);
    return found.length > 0 ? Math.max(...found) : undefined;
  };
  return {
    rs256TagsPerSec: pass(reference, "RS256")?.tagsPerSec,
    es256TagsPerSec: pass(reference, "ES256")?.tagsPerSec,
    signRatePerSec: result.limits.signing?.rs256PerCpuSec,
    rawInsertTagsPerSec: result.limits.rawInsert?.tagsPerSec,
    baselineTagsPerSec: result.limits.baseline?.tagsPerSec,
    runMs10k: pass(10_000, "RS256")?.runMs,
    runMs100k: pass(100_000, "RS256")?.runMs,
    peakRss100k: peak(100_000),
    peakRss1m: peak(1_000_000),
  };
}

/** The size whose passes the rate targets use: the largest up to 100,000, else the smallest. */
export function referenceSize(sizes: readonly number[]): number {
  const small = sizes.filter((s) => s <= 100_000);
  return small.length > 0 ? Math.max(...small) : Math.min(...sizes);
}
