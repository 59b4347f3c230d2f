/** A run's adaptive batch size settings: the wanted duration of one batch and the size bounds. */
export interface AdaptiveSettings {
  targetMs: number;
  minSize: number;
  maxSize: number;
  /** Weight of the newest batch in the smoothed ms per tag. */
  alpha?: number;
  /** A new size within this fraction of the current one is noise: no change (no re-cut). */
  hysteresis?: number;
  /** Batches measured since the last change before the next change. */
  minSamples?: number;
}

/** One finished batch: how many tags it held and how long it took. */
export interface BatchSample {
  size: number;
  durationMs: number;
}

/** What the rule remembers between ticks for one run. */
export interface AdaptiveState {
  /** Smoothed milliseconds per tag; undefined before the first sample. */
  msPerTag?: number;
  /** Samples folded in since the last change. */
  samplesSinceChange: number;
}

export interface AdaptiveInput {
  currentSize: number;
  /** Batches finished since the last tick, oldest first. */
  samples: readonly BatchSample[];
  /** A delivery of the run ended in a lock or statement timeout since the last tick. */
  contended: boolean;
  state: AdaptiveState;
  settings: AdaptiveSettings;
}

export interface AdaptiveDecision {
  state: AdaptiveState;
  /** The new size and why; absent: keep the current size. */
  change?: { size: number; reason: string };
}

const DEFAULT_ALPHA = 0.3;
const DEFAULT_HYSTERESIS = 0.2;
const DEFAULT_MIN_SAMPLES = 2;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;

/**
 * The next batch size: batches should take about `targetMs`. The cost per tag is smoothed (EWMA) so one
 * slow batch does not swing the size; a change is at most x2 or /2 (the estimate may be off, the next
 * batches measure again) and only when the size moves by more than the hysteresis, as each change
 * re-cuts the run's pending batches. A contended delivery halves at once: smaller batches hold their
 * locks for less time.
 */
export function decideBatchSize(input: AdaptiveInput): AdaptiveDecision {
  const { currentSize, settings } = input;
  const state = foldSamples(input.state, input.samples, settings.alpha ?? DEFAULT_ALPHA);
  if (input.contended) {
    // Never larger: a size already below the minimum (set by hand) stays where it is.
    const size = Math.min(
      currentSize,
      clamp(Math.floor(currentSize / 2), settings.minSize, settings.maxSize),
    );
    if (size === currentSize) return { state };
    return {
      state: { ...state, samplesSinceChange: 0 },
      change: { size, reason: `adaptive: contended delivery, ${currentSize} -> ${size} tags` },
    };
  }
  if (
    state.msPerTag === undefined ||
    state.samplesSinceChange < (settings.minSamples ?? DEFAULT_MIN_SAMPLES)
  ) {
    return { state };
  }
  const ideal = settings.targetMs / Math.max(state.msPerTag, 1e-6);
  const stepped = clamp(ideal, currentSize / 2, currentSize * 2);
  const size = Math.round(clamp(stepped, settings.minSize, settings.maxSize));
  const hysteresis = settings.hysteresis ?? DEFAULT_HYSTERESIS;
  if (size === currentSize || Math.abs(size - currentSize) <= hysteresis * currentSize) return { state };
  const perBatch = state.msPerTag * currentSize;
  const relation = perBatch > settings.targetMs ? ">" : "<";
  return {
    state: { ...state, samplesSinceChange: 0 },
    change: {
      size,
      reason: `adaptive: ${seconds(perBatch)} per batch ${relation} ${seconds(settings.targetMs)} target`,
    },
  };
}

function foldSamples(state: AdaptiveState, samples: readonly BatchSample[], alpha: number): AdaptiveState {
  let msPerTag = state.msPerTag;
  let count = state.samplesSinceChange;
  for (const sample of samples) {
    if (sample.size <= 0 || !(sample.durationMs >= 0)) continue;
    const value = sample.durationMs / sample.size;
    msPerTag = msPerTag === undefined ? value : alpha * value + (1 - alpha) * msPerTag;
    count += 1;
  }
  return { ...(msPerTag !== undefined ? { msPerTag } : {}), samplesSinceChange: count };
}
