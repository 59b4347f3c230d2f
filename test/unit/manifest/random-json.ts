import { PyFloat, PyInt, type JsonObject, type JsonValue } from "../../../src/manifest/json-value.js";

/** The seeded PRNG (mulberry32) the bench's workload uses too: property tests stay reproducible. */
export { seededRandom as createRandom } from "../../../bench/lib/seeded-random.js";

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

const ALPHABET = [
  "a",
  "Z",
  "0",
  " ",
  '"',
  "\\",
  "\n",
  "\t",
  "\u0001",
  "\u007f",
  "é",
  "\u2028",
  "😀",
  "/",
  "<",
];

export function randomString(random: () => number, maxLength = 12): string {
  let out = "";
  const length = Math.floor(random() * maxLength);
  for (let i = 0; i < length; i++) out += pick(random, ALPHABET);
  return out;
}

/** Finite floats (JSON.parse has no NaN) of every magnitude, plus exact big integers. */
export function randomNumber(random: () => number): PyInt | PyFloat {
  if (random() < 0.5) {
    const digits = String(Math.floor(random() * 1e15)) + (random() < 0.3 ? "123456789" : "");
    return new PyInt(random() < 0.2 ? `-${digits}` : digits);
  }
  const exponent = Math.floor(random() * 80) - 40;
  return new PyFloat(
    Number(((random() - 0.5) * 10).toPrecision(1 + Math.floor(random() * 17))) * 10 ** exponent,
  );
}

export function randomJsonValue(random: () => number, depth: number): JsonValue {
  const roll = random();
  if (depth <= 0 || roll < 0.4) {
    return pick<() => JsonValue>(random, [
      () => null,
      () => random() < 0.5,
      () => randomString(random),
      () => randomNumber(random),
    ])();
  }
  if (roll < 0.7) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomJsonValue(random, depth - 1));
  }
  const object: JsonObject = new Map();
  const size = Math.floor(random() * 5);
  for (let i = 0; i < size; i++) object.set(randomString(random, 6), randomJsonValue(random, depth - 1));
  return object;
}
