// The manifest core's public surface: what the backfill, the CLI and the verifier import.
export { buildSchema1, schema1Name, type Schema1Layer, type Schema1Parts } from "./build-schema1.js";
export { chooseLegacyChild, resolveLegacyChild } from "./legacy-child.js";
export type { Descriptor, Platform } from "./descriptor.js";
export { sha256Digest } from "./digest.js";
export { MalformedManifestError, SigningKeyError, type MalformedCode } from "./errors.js";
export {
  DEFAULT_MAX_MANIFEST_BYTES,
  generateSchema1,
  type ChainLayer,
  type GenerateFailure,
  type GenerateInput,
  type GenerateResult,
} from "./generate-schema1.js";
export { PyFloat, PyInt, type JsonObject, type JsonValue } from "./json-value.js";
export { isLibtrustKeyId, libtrustKeyId } from "./libtrust-key-id.js";
export { MEDIA_TYPES, type ManifestMediaType } from "./media-types.js";
export type { ParsedImageIndex } from "./parse-image-index.js";
export type { ParsedImageManifest } from "./parse-image-manifest.js";
export { parseManifest, type ManifestKind, type ParsedManifest } from "./parse-manifest.js";
export {
  parseSchema1,
  type ParsedSchema1,
  type ParsedSchema1Layer,
  type Schema1Signature,
} from "./parse-schema1.js";
export { pullCheck, type PullCheckInput, type PullProblem } from "./pull-check.js";
export { JsonSyntaxError, parsePythonJson } from "./python-json-parser.js";
export {
  CANONICAL_LAYOUT,
  MANIFEST_LAYOUT,
  pythonJsonDumps,
  type DumpOptions,
} from "./python-json-writer.js";
export { rewriteImageIds, type LegacyImage } from "./rewrite-image-ids.js";
export { schema1Digest } from "./schema1-digest.js";
export { signatureTime, signSchema1 } from "./sign-schema1.js";
export { createSigner, loadSigner, type PublicJwk, type Signer, type SigningAlgorithm } from "./signer.js";
export { stripMetadata } from "./strip-metadata.js";
export { verifySchema1Signatures, type SignatureCheck, type SignatureVerdict } from "./verify-schema1.js";
