import { sha256Digest } from "./digest.js";
import { MalformedManifestError } from "./errors.js";
import { isJsonObject, PyInt, type JsonValue } from "./json-value.js";
import { parsePythonJson } from "./python-json-parser.js";
import { readDocument } from "./read-document.js";

/**
 * The payload a schema1 signature covers (docs/signature-and-pull-rules.md): for signed bytes,
 * `bytes[:formatLength]` plus the decoded `formatTail` of the given protected header; `formatTail` is not
 * always `\n}`.
 */
export function signedPayload(
  bytes: Buffer,
  protectedB64: string,
  field = "/signatures/0/protected",
): Buffer {
  const { formatLength, formatTail } = readFormat(bytes, protectedB64, field);
  return Buffer.concat([bytes.subarray(0, formatLength), formatTail]);
}

/** Where a protected header says the payload ends in `bytes`, and the tail it appends (decoded). */
export interface PayloadFormat {
  formatLength: number;
  formatTail: Buffer;
}

/** Reads `formatLength`/`formatTail` from a protected header; throws `invalid_protected_header`. */
export function readFormat(bytes: Buffer, protectedB64: string, field: string): PayloadFormat {
  let header: JsonValue;
  try {
    header = parsePythonJson(Buffer.from(protectedB64, "base64url").toString("utf8"));
  } catch (err) {
    throw new MalformedManifestError("invalid_protected_header", field, "protected header is not JSON", {
      cause: err,
    });
  }
  if (!isJsonObject(header)) {
    throw new MalformedManifestError("invalid_protected_header", field, "protected header is not an object");
  }
  const length = header.get("formatLength");
  const tail = header.get("formatTail");
  const value = length instanceof PyInt ? length.toNumber() : -1;
  if (!Number.isSafeInteger(value) || value < 0 || value > bytes.length) {
    throw new MalformedManifestError(
      "invalid_protected_header",
      field,
      "protected header needs formatLength: an integer within the manifest's length",
    );
  }
  if (typeof tail !== "string") {
    throw new MalformedManifestError(
      "invalid_protected_header",
      field,
      "protected header needs a string formatTail",
    );
  }
  return { formatLength: value, formatTail: Buffer.from(tail, "base64url") };
}

/**
 * The digest of a schema1 manifest, signed or not: sha256 of the bytes with signatures removed, taken
 * from the FIRST signature's protected header. Throws MalformedManifestError when the bytes are not JSON
 * or the signatures cannot be read.
 */
export function schema1Digest(bytes: string | Uint8Array): string {
  const { bytes: buffer, document } = readDocument(bytes);
  const signatures = document.get("signatures");
  if (signatures === undefined) return sha256Digest(buffer);
  const first = Array.isArray(signatures) ? signatures[0] : undefined;
  const protectedB64 = isJsonObject(first) ? first.get("protected") : undefined;
  if (typeof protectedB64 !== "string") {
    throw new MalformedManifestError(
      "invalid_signatures",
      "/signatures",
      "signatures must be a non-empty list",
    );
  }
  return sha256Digest(signedPayload(buffer, protectedB64));
}
