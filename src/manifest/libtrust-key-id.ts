import { createHash, createPublicKey, type JsonWebKey } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * The key id Docker's libtrust expects in a schema1 signature's JWK: SHA-256 of the DER
 * SubjectPublicKeyInfo, first 240 bits, RFC 4648 base32 (48 characters, so no padding), in twelve groups
 * of four joined by `:`. Docker refuses a JWK whose `kid` has any other form.
 */
export function libtrustKeyId(spkiDer: Uint8Array): string {
  const hash = createHash("sha256").update(spkiDer).digest().subarray(0, 30);
  let bits = 0;
  let buffer = 0;
  let out = "";
  for (const byte of hash) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
  }
  return (out.match(/.{4}/g) ?? []).join(":");
}

/** Whether `kid` has the libtrust form (the pull check reports any other). */
export function isLibtrustKeyId(kid: string): boolean {
  return /^[A-Z2-7]{4}(?::[A-Z2-7]{4}){11}$/.test(kid);
}

// Manifests of a registry carry a handful of keys: remember the last few fingerprints.
const FINGERPRINTS = new Map<string, string | undefined>();
const MAX_REMEMBERED = 64;

/**
 * The libtrust key id of a public JWK (RSA, or EC on P-256/P-384/P-521, as libtrust reads them), or
 * undefined when libtrust could not read it as a public key. Docker and skopeo compare a JWK's `kid`
 * with this and refuse the manifest when they differ.
 */
export function libtrustKeyIdOfJwk(jwk: Record<string, unknown>): string | undefined {
  const { kty, crv, x, y, n, e } = jwk;
  const parts = kty === "EC" ? { kty, crv, x, y } : kty === "RSA" ? { kty, n, e } : undefined;
  if (parts === undefined) return undefined;
  const memo = JSON.stringify(parts);
  if (FINGERPRINTS.has(memo)) return FINGERPRINTS.get(memo);
  let id: string | undefined;
  try {
    const key = createPublicKey({ key: parts as JsonWebKey, format: "jwk" });
    id = libtrustKeyId(key.export({ type: "spki", format: "der" }));
  } catch {
    id = undefined;
  }
  if (FINGERPRINTS.size >= MAX_REMEMBERED) FINGERPRINTS.clear();
  FINGERPRINTS.set(memo, id);
  return id;
}
