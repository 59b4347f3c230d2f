import { buildSchema1Ascii, schema1Name, type Schema1Layer } from "./build-schema1.js";
import { sha256Digest } from "./digest.js";
import { MalformedManifestError } from "./errors.js";
import { PyInt, type JsonValue } from "./json-value.js";
import type { LayerCache } from "./layer-cache.js";
import { legacyImagesAsStored } from "./legacy-images-as-stored.js";
import { MEDIA_TYPES } from "./media-types.js";
import { pullCheck, type PullProblem } from "./pull-check.js";
import { quotedPythonLength } from "./python-json-writer.js";
import { rewriteChain, type LegacyImage } from "./rewrite-image-ids.js";
import { signSchema1Ascii } from "./sign-schema1.js";
import type { Signer } from "./signer.js";
import { stripMetadata } from "./strip-metadata.js";

/** One image of the tag's chain: its storage checksum and its stored v1 JSON (null becomes "{}"). */
export interface ChainLayer {
  blobSum: string;
  v1Compatibility: string | null;
}

export interface GenerateInput {
  namespace: string;
  repository: string;
  tag: string;
  /** Manifests in this namespace are named by the repository alone (Quay: `library`). */
  libraryNamespace: string;
  /** Leaf first. */
  layers: ChainLayer[];
  /** v1 id -> content_checksum of images already in the repository (Quay's rewrite rule). */
  existingImages?: ReadonlyMap<string, string>;
  rewriteIds: boolean;
  /** Strip metadata when the manifest is larger than this many bytes (Quay: 3,145,728). */
  maxBytes: number;
  /** Unsigned without one. */
  signer?: Signer;
  /** The protected header's `time`; required with a signer (the core reads no clock). */
  signingTime?: Date;
  /** Strip metadata whatever the size. */
  stripMetadata?: boolean;
  /**
   * One per batch (createLayerCache): tags sharing images parse, escape and check each shared layer
   * once. The output is the same with or without it.
   */
  cache?: LayerCache;
}

export type GenerateResult =
  | {
      ok: true;
      bytes: string;
      size: number;
      digest: string;
      mediaType: string;
      stripped: boolean;
      /**
       * Base first. With `rewriteIds` these are the images the manifest names (to synthesise when
       * `rewritten`); they keep the full metadata even when the manifest was stripped. Without it, the
       * chain as stored, `id` "" where the metadata has no readable id.
       */
      legacyImages: LegacyImage[];
      /** What a client would refuse (docs/signature-and-pull-rules.md); empty means pullable. */
      problems: PullProblem[];
    }
  | { ok: false; reason: GenerateFailure; message: string };

export type GenerateFailure = "manifest_too_large" | "invalid_metadata" | "no_layers" | "invalid_input";

/** A manifest layer with its metadata parsed (undefined after stripping: the pull check parses then). */
type CheckedLayer = Schema1Layer & { v1?: JsonValue };

export const DEFAULT_MAX_MANIFEST_BYTES = 3_145_728;

/**
 * The manifest of one tag (docs/domain-rules.md): build the schema1 manifest of its image chain (after
 * rewriting invalid ids when asked), sign it, strip metadata when it is over the limit, and pull-check the
 * result. Expected failures are values; only a bug or a failing signer throws.
 */
export async function generateSchema1(input: GenerateInput): Promise<GenerateResult> {
  if (input.layers.length === 0) return fail("no_layers", "the tag's image chain has no layers");
  if (input.signer && !input.signingTime) {
    return fail("invalid_input", "signingTime is required with a signer: the manifest core reads no clock");
  }
  const stored: Schema1Layer[] = input.layers.map((l) => ({
    blobSum: l.blobSum,
    v1Compatibility: l.v1Compatibility || "{}",
  }));
  const baseFirst = stored.slice().reverse();

  let chain: { images: LegacyImage[]; v1: JsonValue[] };
  try {
    chain = input.rewriteIds
      ? rewriteChain(baseFirst, input.existingImages, input.cache)
      : legacyImagesAsStored(baseFirst, input.cache);
  } catch (err) {
    return metadataFailure(err);
  }
  const legacyImages = chain.images;
  // Leaf first, with the parsed metadata the pull check reuses.
  const layers: CheckedLayer[] = legacyImages
    .map((image, i) => ({
      blobSum: image.blobSum,
      v1Compatibility: image.v1Compatibility,
      v1: chain.v1[i] ?? null,
    }))
    .reverse();

  const name = schema1Name(input.namespace, input.repository, input.libraryNamespace);
  const render = async (manifestLayers: CheckedLayer[]) => {
    // Generated JSON is ASCII (ensure_ascii): written as latin1 bytes, which are what is hashed and signed.
    const payload = buildSchema1Ascii({ name, tag: input.tag, layers: manifestLayers }, input.cache);
    const digest = sha256Digest(payload);
    // An unsigned manifest over the limit stays over it once signed: spare the signature.
    if (!input.signer || payload.length > input.maxBytes) {
      return { digest, bytes: payload.toString("latin1"), layers: manifestLayers };
    }
    const bytes = await signSchema1Ascii(payload, input.signer, input.signingTime ?? new Date(0));
    return { digest, bytes, layers: manifestLayers };
  };

  // Layers whose quoted texts alone are over the limit are stripped whatever else the manifest holds:
  // building (and quoting) a document of several MB only to measure it was most of a batch's garbage.
  let stripped = input.stripMetadata === true || quotedTextsExceed(layers, input.maxBytes, input.cache);
  let rendered;
  try {
    rendered = await render(stripped ? stripMetadata(layers) : layers);
    if (!stripped && rendered.bytes.length > input.maxBytes) {
      stripped = true;
      rendered = await render(stripMetadata(layers));
    }
  } catch (err) {
    return metadataFailure(err);
  }
  const size = rendered.bytes.length;
  if (size > input.maxBytes) {
    return fail(
      "manifest_too_large",
      `the manifest is ${size} bytes with metadata stripped; the limit is ${input.maxBytes}`,
    );
  }
  const signatures = input.signer ? [{ jwk: input.signer.publicJwk }] : [];
  return {
    ok: true,
    bytes: rendered.bytes,
    size,
    digest: rendered.digest,
    mediaType: input.signer ? MEDIA_TYPES.schema1Signed : MEDIA_TYPES.schema1,
    stripped,
    legacyImages,
    problems: pullCheck(
      { schemaVersion: new PyInt("1"), signatures, layers: rendered.layers },
      { cache: input.cache },
    ),
  };
}

/** Whether the layers' quoted texts alone are longer than `maxBytes`: the built manifest then is too. */
function quotedTextsExceed(
  layers: readonly Schema1Layer[],
  maxBytes: number,
  cache: LayerCache | undefined,
): boolean {
  // A quoted unit takes at most 6 characters: most chains are far below the limit without a scan.
  let bound = 0;
  for (const layer of layers) bound += 6 * layer.v1Compatibility.length + 2;
  if (bound <= maxBytes) return false;
  let length = 0;
  for (const { v1Compatibility: text } of layers) {
    length += cache ? cache.quotedLength(text) : quotedPythonLength(text);
    if (length > maxBytes) return true;
  }
  return false;
}

function fail(reason: GenerateFailure, message: string): GenerateResult {
  return { ok: false, reason, message };
}

function metadataFailure(err: unknown): GenerateResult {
  if (!(err instanceof MalformedManifestError)) throw err;
  return fail("invalid_metadata", `${err.field}: ${err.message}`);
}
