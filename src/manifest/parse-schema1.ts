import { MalformedManifestError } from "./errors.js";
import { isJsonObject, toPlain, type JsonObject, type JsonValue } from "./json-value.js";
import { validateShape } from "./manifest-schemas.js";
import { MEDIA_TYPES } from "./media-types.js";
import { JsonSyntaxError, parsePythonJson } from "./python-json-parser.js";
import { readDocument, type ManifestDocument } from "./read-document.js";
import { sha256Digest } from "./digest.js";
import { signedPayload } from "./schema1-digest.js";

export interface ParsedSchema1Layer {
  blobSum: string;
  /** The raw string from `history`. */
  v1Compatibility: string;
  /** Its parsed form, lossless. */
  v1: JsonObject;
}

export interface Schema1Signature {
  alg: string;
  /** The JWK as plain JSON, as handed to a JOSE library. */
  jwk: Record<string, unknown>;
  protected: string;
  signature: string;
  /** What this signature covers: `bytes[:formatLength] + formatTail` of its own protected header. */
  payload: Buffer;
}

export interface ParsedSchema1 {
  kind: "schema1";
  mediaType: typeof MEDIA_TYPES.schema1 | typeof MEDIA_TYPES.schema1Signed;
  digest: string;
  bytes: Buffer;
  /** The unsigned payload the digest is taken over. */
  payload: Buffer;
  name: string;
  tag: string;
  architecture: string | undefined;
  schemaVersion: JsonValue | undefined;
  /** Leaf first, as in the manifest. */
  layers: ParsedSchema1Layer[];
  signatures: Schema1Signature[];
}

// Quay's digest_tools pattern: any algorithm name, hex. The pull check is stricter (sha256 only).
const BLOB_SUM = /^[A-Za-z0-9_+.-]+:[A-Fa-f0-9]+$/;

/**
 * Parses a schema1 manifest, signed or unsigned, refusing what Quay refuses (plus what Quay would crash
 * on) with a MalformedManifestError. Signatures are read, not verified: see verifySchema1Signatures.
 */
export function parseSchema1(input: string | Uint8Array): ParsedSchema1 {
  return schema1FromDocument(readDocument(input));
}

export function schema1FromDocument({ bytes, document }: ManifestDocument): ParsedSchema1 {
  validateShape("schema1", document);
  const fsLayers = document.get("fsLayers") as JsonObject[];
  const history = document.get("history") as JsonObject[];
  if (fsLayers.length !== history.length) {
    throw new MalformedManifestError(
      "layer_count_mismatch",
      "/history",
      `fsLayers has ${fsLayers.length} entries but history has ${history.length}`,
    );
  }
  const signatures = readSignatures(bytes, document.get("signatures"));
  const payload = signatures[0]?.payload ?? bytes;
  return {
    kind: "schema1",
    mediaType: signatures.length > 0 ? MEDIA_TYPES.schema1Signed : MEDIA_TYPES.schema1,
    digest: sha256Digest(payload),
    bytes,
    payload,
    name: document.get("name") as string,
    tag: document.get("tag") as string,
    architecture: document.get("architecture") as string | undefined,
    schemaVersion: document.get("schemaVersion"),
    layers: fsLayers.map((fsLayer, i) => readLayer(fsLayer, history[i] as JsonObject, i)),
    signatures,
  };
}

function readSignatures(bytes: Buffer, value: JsonValue | undefined): Schema1Signature[] {
  if (value === undefined) return [];
  return (value as JsonObject[]).map((signature, i) => {
    const header = signature.get("header") as JsonObject;
    const protectedB64 = signature.get("protected") as string;
    return {
      alg: header.get("alg") as string,
      jwk: toPlain(header.get("jwk") as JsonObject) as Record<string, unknown>,
      protected: protectedB64,
      signature: signature.get("signature") as string,
      payload: signedPayload(bytes, protectedB64, `/signatures/${i}/protected`),
    };
  });
}

function readLayer(fsLayer: JsonObject, history: JsonObject, index: number): ParsedSchema1Layer {
  const blobSum = fsLayer.get("blobSum") as string;
  if (!BLOB_SUM.test(blobSum)) {
    throw new MalformedManifestError(
      "invalid_blob_sum",
      `/fsLayers/${index}/blobSum`,
      "blobSum is not a digest",
    );
  }
  const v1Compatibility = history.get("v1Compatibility") as string;
  const field = `/history/${index}/v1Compatibility`;
  const v1 = parseV1(v1Compatibility, field);
  if (!isJsonObject(v1))
    throw new MalformedManifestError("v1_not_object", field, "v1Compatibility is not an object");
  if (!v1.has("id")) throw new MalformedManifestError("v1_missing_id", field, "v1Compatibility has no id");
  return { blobSum, v1Compatibility, v1 };
}

function parseV1(text: string, field: string): JsonValue {
  try {
    return parsePythonJson(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new MalformedManifestError("invalid_v1_json", field, `v1Compatibility is not JSON: ${err.message}`);
  }
}
