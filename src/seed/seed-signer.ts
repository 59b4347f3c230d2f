import { createECDH, createHash, createHmac, createPrivateKey, type KeyObject } from "node:crypto";
import { createSigner, type Signer } from "../manifest/index.js";

/** The P-256 private key whose scalar is the 32 bytes `d` (big-endian, 1 <= d < n). */
export function p256PrivateKey(d: Buffer): KeyObject {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  return createPrivateKey({
    key: {
      kty: "EC",
      crv: "P-256",
      d: d.toString("base64url"),
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
}

/**
 * The client-style EC P-256 key that signed the seeded tagmanifests, derived from the seed, with
 * deterministic ECDSA nonces: OpenSSL draws a random nonce per signature, which would make every
 * re-seed's `json_data` differ. The nonce is HMAC-SHA256(key, digest), in the spirit of RFC 6979.
 * Synthetic data only: this is not a signer for real keys (BigInt arithmetic is not constant-time).
 */
export function seedSigner(seed: string): Signer {
  const d = (toBigInt(createHash("sha256").update(`${seed}\u0000signing-key`).digest()) % (N - 1n)) + 1n;
  const dBytes = toBytes32(d);
  const key = p256PrivateKey(dBytes);
  const { alg, kid, publicJwk } = createSigner(key);
  return Object.freeze({
    alg,
    kid,
    publicJwk,
    sign: (input: Uint8Array) => signDeterministic(d, dBytes, input),
  });
}

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

type Affine = readonly [bigint, bigint];
type Jacobian = [bigint, bigint, bigint];

/** G * 2^i for i = 0..255, so a fixed-base multiplication is one addition per set bit. */
let doublings: Affine[] | undefined;

function signDeterministic(d: bigint, dBytes: Buffer, input: Uint8Array): Uint8Array {
  const digest = createHash("sha256").update(input).digest();
  const e = toBigInt(digest) % N;
  for (let counter = 0; ; counter++) {
    const nonce = createHmac("sha256", dBytes).update(digest).update(String(counter)).digest();
    const k = toBigInt(nonce) % N;
    if (k === 0n) continue;
    const r = toAffine(multiplyG(k))[0] % N;
    if (r === 0n) continue;
    const s = (inverse(k, N) * ((e + r * d) % N)) % N;
    if (s === 0n) continue;
    return Buffer.concat([toBytes32(r), toBytes32(s)]);
  }
}

function multiplyG(k: bigint): Jacobian {
  doublings ??= precompute();
  let acc: Jacobian = [0n, 1n, 0n];
  for (let i = 0; k > 0n; i++, k >>= 1n) {
    if (k & 1n) acc = addMixed(acc, doublings[i] as Affine);
  }
  return acc;
}

function precompute(): Affine[] {
  const table: Affine[] = [[GX, GY]];
  let current: Jacobian = [GX, GY, 1n];
  for (let i = 1; i < 256; i++) {
    current = double(current);
    table.push(toAffine(current));
  }
  return table;
}

const mod = (x: bigint): bigint => {
  const r = x % P;
  return r < 0n ? r + P : r;
};

function double([x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const zz = mod(z * z);
  const m = mod(3n * (x - zz) * (x + zz)); // a = -3
  const yy = mod(y * y);
  const s = mod(4n * x * yy);
  const x3 = mod(m * m - 2n * s);
  const y3 = mod(m * (s - x3) - 8n * yy * yy);
  return [x3, y3, mod(2n * y * z)];
}

function addMixed(a: Jacobian, [x2, y2]: Affine): Jacobian {
  const [x1, y1, z1] = a;
  if (z1 === 0n) return [x2, y2, 1n];
  const z1z1 = mod(z1 * z1);
  const u2 = mod(x2 * z1z1);
  const s2 = mod(y2 * z1 * z1z1);
  const h = mod(u2 - x1);
  const r = mod(s2 - y1);
  if (h === 0n) return r === 0n ? double(a) : [0n, 1n, 0n];
  const hh = mod(h * h);
  const hhh = mod(h * hh);
  const v = mod(x1 * hh);
  const x3 = mod(r * r - hhh - 2n * v);
  const y3 = mod(r * (v - x3) - y1 * hhh);
  return [x3, y3, mod(z1 * h)];
}

function toAffine([x, y, z]: Jacobian): Affine {
  const zi = inverse(z, P);
  const zi2 = mod(zi * zi);
  return [mod(x * zi2), mod(y * zi2 * zi)];
}

function inverse(value: bigint, modulus: bigint): bigint {
  let [a, b, x0, x1] = [((value % modulus) + modulus) % modulus, modulus, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b] = [b, a - q * b];
    [x0, x1] = [x1, x0 - q * x1];
  }
  return ((x0 % modulus) + modulus) % modulus;
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

function toBytes32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, "0"), "hex");
}
