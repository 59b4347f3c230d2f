import { nearestRank } from "../nearest-rank.js";

/** One timed durable commit of the pacer (src/run/pacer.ts), and what was going on when it was taken. */
export interface PaceSample {
  atMs: number;
  latencyMs: number;
  /** This process had a batch between its claim and its commit. */
  writing: boolean;
  /** Another application's session (not the backfill's) was running a statement or inside a transaction. */
  appBusy: boolean;
}

export interface PaceRules {
  /** The samples one decision reads: the most recent this many milliseconds. */
  windowMs: number;
  /** Fewer samples in the window: no change. */
  minSamples: number;
  /** The quantile of the samples taken while this process wrote nothing that is the uncontended line (its p99). */
  baselineQuantile: number;
  /** A sample above this many times that line is "slowed". */
  slowFactor: number;
  /** The share of all samples that may be slowed (BACKFILL_PACING_SLOWED_SHARE). */
  slowBudget: number;
  /** The application counts as active once this share of samples found one of its sessions busy. */
  appMinShare: number;
  /** The most rest per unit of batch time. */
  maxRatio: number;
  /** The most a ratio grows (× 1 + ratio) or shrinks per decision. */
  maxStep: number;
}

export const PACE_RULES: PaceRules = {
  windowMs: 20_000,
  minSamples: 20,
  baselineQuantile: 0.99,
  slowFactor: 1.5,
  slowBudget: 0.03,
  appMinShare: 0.05,
  maxRatio: 19,
  maxStep: 2,
};

export interface PaceDecision {
  /** Rest per unit of batch time from now on. */
  ratio: number;
  reason: string;
  /** Share of the window's samples that found the application busy. */
  appShare: number;
  /** Share of the window's samples taken while this process wrote (its duty cycle on the database). */
  duty: number;
  /** Share of the samples taken while this process wrote that were slowed. */
  slowedWhileWriting: number;
  /** Above this a sample is slowed; undefined without a baseline. */
  slowLineMs: number | undefined;
  samples: number;
}

/** Share of `window`'s samples that found the application busy; 0 for none. */
export function appBusyShare(window: readonly PaceSample[]): number {
  return share(window, (s) => s.appBusy);
}

/**
 * The rest after each batch, from what a durable commit beside the backfill went through. The application
 * sees the backfill only while it writes: a share `duty` of the time, during which a share
 * `slowedWhileWriting` of its operations is slowed past `slowFactor` × the uncontended line. Their product
 * is the share slowed overall; the ratio is set so that it stays within `slowBudget`. The duty cycle a
 * ratio r gives is (about) k / (1 + r), k measured from the window and the ratio that made it, so the new
 * ratio follows in one step rather than by creeping; the step is capped against a noisy window. Without
 * an active application there is nobody to slow down: the ratio halves towards 0.
 */
export function decidePace(
  window: readonly PaceSample[],
  idleLatencies: readonly number[],
  current: number,
  rules: PaceRules = PACE_RULES,
): PaceDecision {
  const samples = window.length;
  const appShare = appBusyShare(window);
  const writingSamples = window.filter((s) => s.writing);
  const duty = samples === 0 ? 0 : writingSamples.length / samples;
  const baseline = nearestRank(idleLatencies, rules.baselineQuantile);
  const slowLineMs = baseline === undefined ? undefined : baseline * rules.slowFactor;
  const slowed = slowLineMs === undefined ? 0 : share(writingSamples, (s) => s.latencyMs > slowLineMs);
  const base = { appShare, duty, slowedWhileWriting: slowed, slowLineMs, samples };
  if (samples < rules.minSamples || slowLineMs === undefined)
    return { ...base, ratio: current, reason: "too few samples" };
  if (appShare < rules.appMinShare)
    return { ...base, ratio: settle(current / 2), reason: "application idle" };
  if (writingSamples.length === 0) return { ...base, ratio: current, reason: "no batch written" };
  // k: how much of the time this process writes at ratio 0 (1 for one batch at a time).
  const k = Math.min(1, duty * (1 + current));
  const wantedDuty = slowed > 0 ? Math.min(1, rules.slowBudget / slowed) : 1;
  const wanted = Math.max(0, k / wantedDuty - 1);
  const low = (1 + current) / rules.maxStep - 1;
  const high = (1 + current) * rules.maxStep - 1;
  const ratio = settle(Math.min(rules.maxRatio, Math.max(low, Math.min(high, wanted))));
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const reason =
    `${pct(slowed)} of commits slowed past ${slowLineMs.toFixed(1)} ms while writing, ` +
    `writing ${pct(duty)} of the time, application busy in ${pct(appShare)} of samples`;
  return { ...base, ratio, reason };
}

/** Ratios are kept to two decimals, and a small one is none. */
function settle(ratio: number): number {
  return ratio < 0.25 ? 0 : Math.round(ratio * 100) / 100;
}

function share<T>(items: readonly T[], test: (item: T) => boolean): number {
  if (items.length === 0) return 0;
  let n = 0;
  for (const item of items) if (test(item)) n++;
  return n / items.length;
}
