import { createHash } from "node:crypto";

const HEX = "0123456789abcdef";

/**
 * A small seeded generator (sfc32: 128-bit state, fast, well distributed). Every stream is derived from
 * the seed text and a path of labels, so a repository's or an image's draws never depend on how many
 * values another stream consumed: chunk size and generation order cannot change the dataset.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    // The first outputs of sfc32 are still close to the seed words.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A stream for `seed` and the labels after it (`Prng.derive("42", "repo", 7)`). */
  static derive(seed: string, ...path: readonly (string | number)[]): Prng {
    const hash = createHash("sha256").update(seed);
    for (const part of path) hash.update("\u0000").update(String(part));
    const state = hash.digest();
    return new Prng(
      state.readUInt32LE(0),
      state.readUInt32LE(4),
      state.readUInt32LE(8),
      state.readUInt32LE(12),
    );
  }

  /**
   * Streams keyed by two integers under one derived key: for the hundreds of thousands of images, where
   * a SHA-256 per stream would cost more than rendering them. splitmix32 spreads the key into the state.
   */
  static family(seed: string, ...path: readonly (string | number)[]): (a: number, b: number) => Prng {
    const key = Prng.derive(seed, ...path);
    const k0 = key.uint32();
    const k1 = key.uint32();
    const k2 = key.uint32();
    const k3 = key.uint32();
    return (a, b) => {
      let x = (k0 ^ Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) | 0;
      const next = (): number => {
        x = (x + 0x9e3779b9) | 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
        z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
        return (z ^ (z >>> 15)) >>> 0;
      };
      return new Prng(next() ^ k1, next() ^ k2, next() ^ k3, next() ^ b);
    };
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** `length` lower-case hex characters. */
  hex(length: number): string {
    let out = "";
    while (out.length < length) {
      let word = this.uint32();
      for (let i = 0; i < 8 && out.length < length; i++) {
        out += HEX[word & 15];
        word >>>= 4;
      }
    }
    return out;
  }

  /** An RFC 4122 version 4 UUID made of this stream's bits. */
  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + (parseInt(h[16] ?? "0", 16) & 3)] ?? "8";
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}
