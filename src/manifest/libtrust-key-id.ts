import { createHash } from "node:crypto";

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
