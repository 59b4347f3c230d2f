import { flattenedVerify, importJWK, type JWK } from "jose";
import type { ParsedSchema1 } from "./parse-schema1.js";

const ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];

export interface SignatureCheck {
  alg: string;
  kid: string | undefined;
  valid: boolean;
  /** Why it did not verify; never the key or the signature bytes. */
  reason?: string;
}

export type SignatureVerdict =
  { status: "unsigned"; signatures: [] } | { status: "valid" | "invalid"; signatures: SignatureCheck[] };

/**
 * Verifies every signature of a parsed schema1 manifest against the JWK in its own header, over the one
 * payload of the manifest (as Quay and libtrust do), with jose. A verdict, never a throw: a bad signature
 * is data. `valid` means all signatures verify, as Docker requires; a signature whose header conflicts
 * with the first one's formatLength/formatTail is invalid, since libtrust refuses the whole document.
 */
export async function verifySchema1Signatures(manifest: ParsedSchema1): Promise<SignatureVerdict> {
  if (manifest.signatures.length === 0) return { status: "unsigned", signatures: [] };
  const payload = manifest.payload.toString("base64url");
  const checks = await Promise.all(
    manifest.signatures.map(async (signature): Promise<SignatureCheck> => {
      const kid = typeof signature.jwk.kid === "string" ? signature.jwk.kid : undefined;
      const check = { alg: signature.alg, kid };
      if (signature.conflict !== undefined) {
        return { ...check, valid: false, reason: `${signature.conflict} (libtrust refuses the document)` };
      }
      if (!ALGORITHMS.includes(signature.alg)) {
        return { ...check, valid: false, reason: `unsupported algorithm ${signature.alg}` };
      }
      try {
        const key = await importJWK(signature.jwk as JWK, signature.alg);
        await flattenedVerify(
          {
            protected: signature.protected,
            header: { alg: signature.alg },
            payload,
            signature: signature.signature,
          },
          key,
          { algorithms: [signature.alg] },
        );
        return { ...check, valid: true };
      } catch (err) {
        const reason = err instanceof Error ? err.message : "verification failed";
        return { ...check, valid: false, reason };
      }
    }),
  );
  return { status: checks.every((c) => c.valid) ? "valid" : "invalid", signatures: checks };
}
