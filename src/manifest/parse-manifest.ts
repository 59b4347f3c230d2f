import { MalformedManifestError } from "./errors.js";
import type { JsonObject } from "./json-value.js";
import { MEDIA_TYPES } from "./media-types.js";
import { imageIndexFromDocument, type ParsedImageIndex } from "./parse-image-index.js";
import { imageManifestFromDocument, type ParsedImageManifest } from "./parse-image-manifest.js";
import { schema1FromDocument, type ParsedSchema1 } from "./parse-schema1.js";
import { readDocument } from "./read-document.js";

export type ParsedManifest = ParsedSchema1 | ParsedImageManifest | ParsedImageIndex;
export type ManifestKind = ParsedManifest["kind"];

const KIND_OF_MEDIA_TYPE: Readonly<Record<string, ManifestKind>> = {
  [MEDIA_TYPES.schema1]: "schema1",
  [MEDIA_TYPES.schema1Signed]: "schema1",
  [MEDIA_TYPES.schema2]: "schema2",
  [MEDIA_TYPES.ociManifest]: "oci-manifest",
  [MEDIA_TYPES.manifestList]: "manifest-list",
  [MEDIA_TYPES.ociIndex]: "oci-index",
};

/**
 * Parses any manifest a Quay row can hold. The kind comes from the document (`mediaType`,
 * `schemaVersion`, its members); a hint (the stored media type) decides only when the document is silent,
 * and must not contradict it. Throws MalformedManifestError.
 */
export function parseManifest(bytes: string | Uint8Array, mediaTypeHint?: string): ParsedManifest {
  const doc = readDocument(bytes);
  const kind = detectKind(doc.document, mediaTypeHint);
  switch (kind) {
    case "schema1":
      return schema1FromDocument(doc);
    case "schema2":
    case "oci-manifest":
      return imageManifestFromDocument(doc, kind);
    case "manifest-list":
    case "oci-index":
      return imageIndexFromDocument(doc, kind);
  }
}

function detectKind(document: JsonObject, hint: string | undefined): ManifestKind {
  const declared = document.get("mediaType");
  const schemaVersion = document.get("schemaVersion");
  const hinted = hint === undefined ? undefined : KIND_OF_MEDIA_TYPE[hint];
  let kind: ManifestKind | undefined;
  if (typeof declared === "string") {
    kind = KIND_OF_MEDIA_TYPE[declared];
    if (kind === undefined) {
      throw new MalformedManifestError(
        "unknown_kind",
        "/mediaType",
        `unknown manifest media type ${declared}`,
      );
    }
  } else if (document.has("fsLayers") || document.has("history") || document.has("signatures")) {
    kind = "schema1";
  } else if (hinted !== undefined && hinted !== "schema1") {
    kind = hinted;
  } else if (document.has("manifests")) {
    kind = "oci-index";
  } else if (document.has("config") || document.has("layers")) {
    kind = "oci-manifest";
  }
  if (kind === undefined) {
    const what = schemaVersion === undefined ? "no schemaVersion" : "no recognisable members";
    throw new MalformedManifestError("unknown_kind", "", `not a manifest of a known kind (${what})`);
  }
  if (hinted !== undefined && hinted !== kind) {
    throw new MalformedManifestError(
      "unknown_kind",
      "",
      `media type ${hint} does not match the content (${kind})`,
    );
  }
  return kind;
}
