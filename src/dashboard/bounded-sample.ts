import { nearestRank } from "../nearest-rank.js";

/**
 * At most `capacity` of the values added, for percentiles in bounded memory: every value while there are
 * fewer, then a uniform reservoir sample (Vitter's algorithm R). The random source is a fixed-seed
 * generator so the same log always gives the same figures.
 */
export class BoundedSample {
  readonly #values: number[] = [];
  #seen = 0;
  #seed = 0x2545f491;

  constructor(readonly capacity: number) {}

  add(value: number): void {
    this.#seen++;
    if (this.#values.length < this.capacity) {
      this.#values.push(value);
      return;
    }
    const slot = this.#next() % this.#seen;
    if (slot < this.capacity) this.#values[slot] = value;
  }

  get count(): number {
    return this.#seen;
  }

  /** Nearest-rank percentile (0 < p ≤ 1) of the values kept; null when there is none. */
  percentile(p: number): number | null {
    return nearestRank(this.#values, p) ?? null;
  }

  /** xorshift32: deterministic, good enough to pick reservoir slots. */
  #next(): number {
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return this.#seed;
  }
}
