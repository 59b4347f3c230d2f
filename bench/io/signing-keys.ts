import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Alg } from "../lib/bench-result.js";

export interface BenchKeys {
  files: Record<Alg, string>;
  pems: Record<Alg, string>;
  remove(): Promise<void>;
}

/** Throwaway keys (RSA 2048, EC P-256) in a private temporary directory, removed by `remove`. */
export async function createBenchKeys(): Promise<BenchKeys> {
  const dir = await mkdtemp(join(tmpdir(), "backfill-bench-"));
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const pems: Record<Alg, string> = {
    RS256: rsa.export({ type: "pkcs8", format: "pem" }).toString(),
    ES256: ec.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  const files: Record<Alg, string> = { RS256: join(dir, "rs256.pem"), ES256: join(dir, "es256.pem") };
  await writeFile(files.RS256, pems.RS256, { mode: 0o600 });
  await writeFile(files.ES256, pems.ES256, { mode: 0o600 });
  return { files, pems, remove: () => rm(dir, { recursive: true, force: true }) };
}
