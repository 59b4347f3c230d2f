import { createPrivateKey, createPublicKey, sign, type JsonWebKey, type KeyObject } from "node:crypto";
import { SigningKeyError } from "./errors.js";
import { libtrustKeyId } from "./libtrust-key-id.js";

export type SigningAlgorithm = "RS256" | "ES256";

/** The public half as it goes into a signature header: members in libtrust's (sorted) order. */
export type PublicJwk =
  | { e: string; kid: string; kty: "RSA"; n: string }
  | { crv: "P-256"; kid: string; kty: "EC"; x: string; y: string };

/**
 * What the manifest core needs from a key: the algorithm, the public JWK to embed, and a raw signature
 * over the JWS signing input (JOSE format: PKCS#1 v1.5 for RS256, r||s for ES256). The private key is
 * held in a closure, so a logged or serialised signer shows nothing of it.
 */
export interface Signer {
  readonly alg: SigningAlgorithm;
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  sign(signingInput: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /**
   * Optional: signs the JWS input `protectedB64 + "." + base64url(payload)` without the caller building
   * it. A signer on another thread encodes there, which spares the calling thread two manifest-sized
   * allocations per signature (the base64url text and the input bytes). Same signature as `sign` would give.
   */
  signJws?(protectedB64: string, payload: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

const MIN_RSA_BITS = 2048;

/**
 * A signer over a private KeyObject: RS256 for RSA of at least 2048 bits, ES256 for EC P-256. The
 * signature is computed with node:crypto synchronously: it is the same OpenSSL primitive WebCrypto would
 * call, without an async hop and a key re-import per signature (see bench/manifest-bench.ts).
 */
export function createSigner(key: KeyObject): Signer {
  if (key.type !== "private") throw new SigningKeyError("the signing key must be a private key");
  const publicKey = createPublicKey(key);
  const kid = libtrustKeyId(publicKey.export({ type: "spki", format: "der" }));
  const jwk = publicKey.export({ format: "jwk" });
  if (key.asymmetricKeyType === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new SigningKeyError(`the RSA signing key has ${bits} bits; use at least ${MIN_RSA_BITS}`);
    }
    const publicJwk: PublicJwk = { e: member(jwk, "e"), kid, kty: "RSA", n: member(jwk, "n") };
    return freeze("RS256", kid, publicJwk, (input) => sign("sha256", input, key));
  }
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    const publicJwk: PublicJwk = { crv: "P-256", kid, kty: "EC", x: member(jwk, "x"), y: member(jwk, "y") };
    return freeze("ES256", kid, publicJwk, (input) =>
      sign("sha256", input, { key, dsaEncoding: "ieee-p1363" }),
    );
  }
  const kind = key.asymmetricKeyType ?? "unknown";
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new SigningKeyError(
    `unsupported signing key type ${kind}${curve ? ` (${curve})` : ""}: use RSA (2048 bits or more) or EC P-256`,
  );
}

/**
 * Reads a private key from a file's contents: a JWK (JSON with `d`) or PEM (PKCS#8, PKCS#1 or SEC1).
 * Errors never carry the contents or the parser's own error (which may quote them).
 */
export function loadSigner(fileContents: string): Signer {
  const text = fileContents.trim();
  let key: KeyObject;
  if (text.startsWith("{")) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      throw new SigningKeyError("the signing key file starts with '{' but is not valid JSON (JWK)");
    }
    if (typeof jwk !== "object" || jwk === null || !("d" in jwk)) {
      throw new SigningKeyError("the signing key JWK has no private part ('d'): give the private key");
    }
    try {
      key = createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
    } catch {
      throw new SigningKeyError("the signing key JWK could not be read as an RSA or EC private key");
    }
  } else {
    try {
      key = createPrivateKey({ key: text, format: "pem" });
    } catch {
      throw new SigningKeyError(
        "the signing key file is neither a private JWK nor an unencrypted PEM private key (PKCS#8, PKCS#1, SEC1)",
      );
    }
  }
  return createSigner(key);
}

function member(jwk: JsonWebKey, name: "e" | "n" | "x" | "y"): string {
  const value = jwk[name];
  if (typeof value !== "string") throw new SigningKeyError(`the public key has no '${name}' member`);
  return value;
}

function freeze(
  alg: SigningAlgorithm,
  kid: string,
  publicJwk: PublicJwk,
  signInput: (input: Uint8Array) => Uint8Array,
): Signer {
  return Object.freeze({ alg, kid, publicJwk: Object.freeze(publicJwk), sign: signInput });
}
