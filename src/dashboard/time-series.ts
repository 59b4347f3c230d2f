import { BoundedSample } from "./bounded-sample.js";
import type { BucketView } from "./dashboard-model.js";

/** Width of one slot of the series. */
export const BUCKET_MS = 10_000;
/** Slots kept: the newest hour at 10 s. Older slots are dropped, so memory does not grow with the log. */
export const BUCKET_COUNT = 360;
/** Batch durations kept per slot for its percentiles. */
const SLOT_SAMPLE = 256;

interface Slot {
  startMs: number;
  tags: number;
  batches: number;
  durations: BoundedSample;
  loadMs: number;
  planMs: number;
  signMs: number;
  writeMs: number;
  retries: number;
  failures: number;
}

export interface BatchTiming {
  tags: number;
  durationMs: number;
  loadMs: number;
  planMs: number;
  signMs: number;
  writeMs: number;
}

/**
 * Fixed-width time slots keyed by their start, at most BUCKET_COUNT of them: a line older than the
 * oldest slot kept once the series is full is not counted in the series (it still counts elsewhere).
 * Lines of several processes may come out of order; each goes to its own slot.
 */
export class TimeSeries {
  readonly #slots = new Map<number, Slot>();
  #oldest = Infinity;

  batch(timeMs: number, timing: BatchTiming): void {
    const slot = this.#slot(timeMs);
    if (!slot) return;
    slot.tags += timing.tags;
    slot.batches++;
    slot.durations.add(timing.durationMs);
    slot.loadMs += timing.loadMs;
    slot.planMs += timing.planMs;
    slot.signMs += timing.signMs;
    slot.writeMs += timing.writeMs;
  }

  retry(timeMs: number): void {
    const slot = this.#slot(timeMs);
    if (slot) slot.retries++;
  }

  failure(timeMs: number): void {
    const slot = this.#slot(timeMs);
    if (slot) slot.failures++;
  }

  view(): BucketView[] {
    return [...this.#slots.values()]
      .sort((a, b) => a.startMs - b.startMs)
      .map((s) => {
        const mean = (ms: number) => (s.batches === 0 ? 0 : Math.round(ms / s.batches));
        return {
          startMs: s.startMs,
          tagsPerSec: Math.round((s.tags * 10_000) / BUCKET_MS) / 10,
          batches: s.batches,
          p50Ms: s.durations.percentile(0.5),
          p95Ms: s.durations.percentile(0.95),
          stages: {
            loadMs: mean(s.loadMs),
            planMs: mean(s.planMs),
            signMs: mean(s.signMs),
            writeMs: mean(s.writeMs),
          },
          retries: s.retries,
          failures: s.failures,
        };
      });
  }

  #slot(timeMs: number): Slot | undefined {
    const startMs = Math.floor(timeMs / BUCKET_MS) * BUCKET_MS;
    const found = this.#slots.get(startMs);
    if (found) return found;
    if (this.#slots.size >= BUCKET_COUNT) {
      if (startMs < this.#oldest) return undefined;
      this.#slots.delete(this.#oldest);
      this.#oldest = Math.min(...this.#slots.keys());
    }
    const slot: Slot = {
      startMs,
      tags: 0,
      batches: 0,
      durations: new BoundedSample(SLOT_SAMPLE),
      loadMs: 0,
      planMs: 0,
      signMs: 0,
      writeMs: 0,
      retries: 0,
      failures: 0,
    };
    this.#slots.set(startMs, slot);
    this.#oldest = Math.min(this.#oldest, startMs);
    return slot;
  }
}
