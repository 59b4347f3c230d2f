import { createPrivateKey, sign } from "node:crypto";
import type { SigningLimit } from "../lib/bench-result.js";

/** Signatures per second on this thread, wall and CPU time, signing `payload` for `durationMs`. */
function rate(pem: string, payload: Buffer, durationMs: number): { wall: number; cpu: number } {
  const key = createPrivateKey(pem);
  const isEc = key.asymmetricKeyType === "ec";
  const one = () => sign("sha256", payload, isEc ? { key, dsaEncoding: "ieee-p1363" } : key);
  for (let i = 0; i < 20; i++) one();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < durationMs) {
    for (let i = 0; i < 10; i++) one();
    n += 10;
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { wall: (n * 1000) / wallMs, cpu: (n * 1000) / cpuMs };
}

/**
 * The single-core signing limit: node:crypto `sign` on one thread over a manifest-sized signing input
 * (the JWS `protected.payload` string the core signs is about 4/3 of the manifest).
 */
export function measureSigningRate(
  pems: { RS256: string; ES256: string },
  payload: Buffer,
  durationMs = 3000,
): SigningLimit {
  const rs = rate(pems.RS256, payload, durationMs);
  const es = rate(pems.ES256, payload, durationMs);
  return { payloadBytes: payload.length, rs256PerSec: rs.wall, rs256PerCpuSec: rs.cpu, es256PerSec: es.wall };
}
