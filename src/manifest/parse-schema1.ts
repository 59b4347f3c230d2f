import { MalformedManifestError } from "./errors.js";
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from "./json-value.js";
import { validateShape } from "./manifest-schemas.js";
import { MEDIA_TYPES } from "./media-types.js";
import { JsonSyntaxError, parsePythonJson } from "./python-json-parser.js";
import { readDocument, type ManifestDocument } from "./read-document.js";
import type { PayloadFormat } from "./schema1-digest.js";
import { sha256Digest } from "./digest.js";
import { refuseMixedKinds } from "./refuse-mixed-kinds.js";
import {
  readSchema1Signatures,
  type Schema1Signature,
  type SignedFormProblem,
} from "./schema1-signatures.js";

export type { Schema1Signature } from "./schema1-signatures.js";

export interface ParsedSchema1Layer {
  blobSum: string;
  /** The raw string from `history`. */
  v1Compatibility: string;
  /** Its parsed form, lossless. */
  v1: JsonObject;
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
  /** What libtrust refuses in the signed form (conflicting headers, fields changed outside the payload). */
  signedFormProblems: SignedFormProblem[];
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

export function schema1FromDocument(doc: ManifestDocument): ParsedSchema1 {
  const { bytes, document: whole } = doc;
  validateShape("schema1", whole);
  refuseMixedKinds(whole, "schema1");
  const { signatures, payload, format, problems } = readSchema1Signatures(bytes, whole.get("signatures"));
  // Docker reads every field from the signed payload; Quay and skopeo from the whole document.
  const document =
    format === undefined || payloadHasSameFields(doc, format)
      ? whole
      : signedDocument(payload, whole, problems);
  const fsLayers = document.get("fsLayers") as JsonObject[];
  const history = document.get("history") as JsonObject[];
  if (fsLayers.length !== history.length) {
    throw new MalformedManifestError(
      "layer_count_mismatch",
      "/history",
      `fsLayers has ${fsLayers.length} entries but history has ${history.length}`,
    );
  }
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
    signedFormProblems: problems,
  };
}

/** The members a schema1 reader takes from the document. */
const SCHEMA1_FIELDS = ["schemaVersion", "name", "tag", "architecture", "fsLayers", "history"];

/**
 * The common case, without parsing the payload again: the payload is the document cut just after a
 * top-level member and closed by a tail of `}` and whitespace, and no field a reader takes is set again
 * after the cut. Then the payload holds exactly the members before the cut, and every field read has the
 * same value in both views.
 */
function payloadHasSameFields({ bytes, text, members }: ManifestDocument, format: PayloadFormat): boolean {
  if (!CLOSING_TAIL.test(format.formatTail.toString("latin1"))) return false;
  const cut = bytes.subarray(0, format.formatLength).toString("utf8").length;
  const last = members.findLastIndex((member) => member.end <= cut);
  const member = members[last];
  if (member === undefined || !JSON_SPACE.test(text.slice(member.end, cut))) return false;
  if (Buffer.byteLength(text.slice(0, cut), "utf8") !== format.formatLength) return false;
  return members.slice(last + 1).every(({ key }) => !SCHEMA1_FIELDS.includes(key));
}

/** A tail that only closes the top-level object, and JSON's whitespace. */
const CLOSING_TAIL = /^[ \t\n\r]*\}[ \t\n\r]*$/;
const JSON_SPACE = /^[ \t\n\r]*$/;

/**
 * The signed payload as a document, the one the fields are read from. Where text outside the payload
 * changes a field (a duplicate key after the signatures, a formatTail that adds members), clients disagree
 * on what the manifest holds: reported, and the signed values win. A payload that is no schema1 manifest
 * is reported too; Quay still reads the whole document, so its fields stand.
 */
function signedDocument(payload: Buffer, whole: JsonObject, problems: SignedFormProblem[]): JsonObject {
  let signed: JsonObject;
  try {
    signed = readDocument(payload).document;
  } catch (err) {
    if (!(err instanceof MalformedManifestError)) throw err;
    return unreadablePayload(err, whole, problems);
  }
  const changed = SCHEMA1_FIELDS.filter((field) => !jsonEqual(whole.get(field), signed.get(field)));
  if (changed.length === 0) return signed;
  // Only a payload that differs needs its own shape check: otherwise it has the whole document's.
  try {
    validateShape("schema1", signed);
  } catch (err) {
    if (!(err instanceof MalformedManifestError)) throw err;
    return unreadablePayload(err, whole, problems);
  }
  refuseMixedKinds(signed, "schema1");
  problems.push({
    code: "unsigned_content",
    message: `text outside the signed payload changes ${changed.join(", ")}: Docker reads the signed values, skopeo and Quay the others`,
  });
  return signed;
}

function unreadablePayload(
  err: MalformedManifestError,
  whole: JsonObject,
  problems: SignedFormProblem[],
): JsonObject {
  problems.push({
    code: "unreadable_payload",
    message: `the signed payload is not a schema1 manifest (${err.message}); Docker reads only the payload`,
  });
  return whole;
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
