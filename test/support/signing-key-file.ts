import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A throw-away RSA signing key in a PEM file of its own, as `BACKFILL_SIGNING_KEY_FILE` names one. */
export interface SigningKeyFile {
  readonly path: string;
  /** Removes the file and its folder. */
  remove(): void;
}

export function createSigningKeyFile(label: string): SigningKeyFile {
  const dir = mkdtempSync(path.join(os.tmpdir(), `backfill-${label}-`));
  const file = path.join(dir, "key.pem");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });
  return { path: file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
