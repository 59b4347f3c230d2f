import { MalformedManifestError } from "./errors.js";
import { MANIFEST_LAYOUT, pythonJsonDumps } from "./python-json-writer.js";
import type { Signer } from "./signer.js";

/** `YYYY-MM-DDTHH:MM:SSZ`, the form Quay and libtrust put in the protected header. */
export function signatureTime(time: Date): string {
  return time.toISOString().slice(0, 19) + "Z";
}

/**
 * Signs an unsigned manifest made by `buildSchema1` (docs/signature-and-pull-rules.md): the protected header
 * records where the payload's closing `\n}` starts, and the signature block becomes the last top-level key.
 * Re-dumping the whole document as Quay does yields the payload up to that point unchanged, so this splices
 * instead.
 */
export async function signSchema1(
  payload: string,
  signer: Signer,
  time: Date,
  /** The payload's UTF-8 bytes when the caller has them already (it hashes them for the digest). */
  payloadBytes?: Buffer,
): Promise<string> {
  const block = await signatureBlock(payloadBytes ?? Buffer.from(payload, "utf8"), signer, time);
  return payload.slice(0, payload.length - 2) + block;
}

/**
 * signSchema1 of an ASCII payload given as its bytes alone (buildSchema1Ascii): the signed text is made as
 * one flat string, not a rope over the payload's text that the database driver would copy again.
 */
export async function signSchema1Ascii(payload: Buffer, signer: Signer, time: Date): Promise<string> {
  const block = await signatureBlock(payload, signer, time);
  const split = payload.length - 2;
  const length = split + block.length;
  // Assembled in a buffer reused from call to call (nothing awaits in between): only the string stays.
  if (length > scratch.length && length <= MAX_SCRATCH) {
    scratch = Buffer.allocUnsafeSlow(Math.min(MAX_SCRATCH, Math.max(length, 2 * scratch.length)));
  }
  const signed = length <= scratch.length ? scratch : Buffer.allocUnsafe(length);
  payload.copy(signed, 0, 0, split);
  signed.write(block, split, "latin1");
  return signed.toString("latin1", 0, length);
}

const MAX_SCRATCH = 1_048_576;
let scratch = Buffer.allocUnsafeSlow(0);

/** What replaces the payload's closing `\n}`: the signature block, last top-level key, and the end. */
async function signatureBlock(bytes: Buffer, signer: Signer, time: Date): Promise<string> {
  const split = bytes.lastIndexOf("\n}");
  if (split < 0 || split + 2 !== bytes.length) {
    throw new MalformedManifestError(
      "not_object",
      "",
      "only an indented manifest ending in '\\n}' can be signed",
    );
  }
  const header = JSON.stringify({
    formatTail: bytes.subarray(split).toString("base64url"),
    formatLength: split,
    time: signatureTime(time),
  });
  const protectedB64 = Buffer.from(header, "utf8").toString("base64url");
  const signed = signer.signJws
    ? await signer.signJws(protectedB64, bytes)
    : await signer.sign(Buffer.from(`${protectedB64}.${bytes.toString("base64url")}`, "ascii"));
  const signature = Buffer.from(signed).toString("base64url");
  // base64url needs no escaping, so each value is quoted as Python would, between quote marks alone.
  return (
    `,\n   "signatures": ${headerOf(signer)}` +
    `,\n         "signature": "${signature}",\n         "protected": "${protectedB64}"\n      }\n   ]\n}`
  );
}

// The signature block's text up to the header's end is the same for every manifest of a key: kept by
// the key's (frozen) JWK object, which the signers made per batch or thread share.
const HEADERS = new WeakMap<object, { alg: string; text: string }>();

/**
 * `[{"header": {jwk, alg}` of the signature block as Python dumps it at the manifest's second level
 * (indent 3, one level deeper than the top: JSON strings hold no raw newline, so re-indenting every line
 * is safe), without the closing brackets.
 */
function headerOf(signer: Signer): string {
  const known = HEADERS.get(signer.publicJwk);
  if (known !== undefined && known.alg === signer.alg) return known.text;
  const header = { jwk: signer.publicJwk, alg: signer.alg };
  const block = pythonJsonDumps([{ header }], MANIFEST_LAYOUT);
  const text = block.slice(0, block.length - "\n   }\n]".length).replaceAll("\n", "\n   ");
  if (Object.isFrozen(signer.publicJwk)) HEADERS.set(signer.publicJwk, { alg: signer.alg, text });
  return text;
}
