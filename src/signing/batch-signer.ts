import type { Signer } from "../manifest/signer.js";

/**
 * A Signer whose `sign` may run off the main thread, so many manifests of a batch are signed at once
 * while the main thread builds the next ones. Pass it wherever a Signer goes; close it once.
 */
export interface BatchSigner extends Signer {
  signMany(inputs: readonly Uint8Array[]): Promise<Uint8Array[]>;
  /** Stops the threads; pending signatures reject with SignerUnavailableError. Idempotent. */
  close(): Promise<void>;
}

/**
 * The signer itself failed (a thread died, the pool was closed): not a property of the tag being signed,
 * so the batch fails and retries instead of recording its tags as failed.
 */
export class SignerUnavailableError extends Error {
  override readonly name = "SignerUnavailableError";
}

/** A BatchSigner over a plain Signer on the calling thread (tests, and `threads: 0`). */
export function inlineBatchSigner(signer: Signer): BatchSigner {
  const sign = async (input: Uint8Array): Promise<Uint8Array> => signer.sign(input);
  return {
    alg: signer.alg,
    kid: signer.kid,
    publicJwk: signer.publicJwk,
    sign,
    signMany: (inputs) => Promise.all(inputs.map(sign)),
    close: () => Promise.resolve(),
  };
}
