import { generateKeyPairSync, type KeyObject } from "node:crypto";

/** Keys made at test time; no key file is ever committed. Cached: RSA generation takes a while. */
const cache = new Map<string, KeyObject>();

export function rsaKey(bits = 2048): KeyObject {
  return cached(`rsa${bits}`, () => generateKeyPairSync("rsa", { modulusLength: bits }).privateKey);
}

export function ecKey(namedCurve = "P-256"): KeyObject {
  return cached(`ec${namedCurve}`, () => generateKeyPairSync("ec", { namedCurve }).privateKey);
}

function cached(name: string, make: () => KeyObject): KeyObject {
  let key = cache.get(name);
  if (!key) {
    key = make();
    cache.set(name, key);
  }
  return key;
}
