import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from "node:crypto";
import type { SigningAlgorithm } from "../manifest/signer.js";

/**
 * node:crypto's asynchronous `sign` (with a callback) runs on libuv's thread pool, so concurrent calls
 * use every core without worker threads. The key was validated by `loadSigner` before this is called.
 */
export function signAsync(
  keyFileContents: string,
  alg: SigningAlgorithm,
): (input: Uint8Array) => Promise<Uint8Array> {
  const text = keyFileContents.trim();
  const key: KeyObject = text.startsWith("{")
    ? createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: "jwk" })
    : createPrivateKey({ key: text, format: "pem" });
  const options = alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" as const } : key;
  return (input) =>
    new Promise((resolve, reject) => {
      sign("sha256", input, options, (err, signature) => {
        if (err) reject(new Error(`signing failed: ${(err as NodeJS.ErrnoException).code ?? "error"}`));
        else resolve(signature);
      });
    });
}
