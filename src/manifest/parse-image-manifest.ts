import { readDescriptor, type Descriptor } from "./descriptor.js";
import { sha256Digest } from "./digest.js";
import type { JsonObject } from "./json-value.js";
import { validateShape } from "./manifest-schemas.js";
import { MEDIA_TYPES } from "./media-types.js";
import { refuseMixedKinds } from "./refuse-mixed-kinds.js";
import type { ManifestDocument } from "./read-document.js";

/** A Docker schema2 or OCI image manifest: a config blob and layers, listed base first. */
export interface ParsedImageManifest {
  kind: "schema2" | "oci-manifest";
  mediaType: string;
  digest: string;
  bytes: Buffer;
  config: Descriptor;
  layers: Descriptor[];
}

export function imageManifestFromDocument(
  { bytes, document }: ManifestDocument,
  kind: ParsedImageManifest["kind"],
): ParsedImageManifest {
  validateShape("imageManifest", document);
  refuseMixedKinds(document, kind);
  const declared = document.get("mediaType");
  return {
    kind,
    mediaType:
      typeof declared === "string"
        ? declared
        : kind === "schema2"
          ? MEDIA_TYPES.schema2
          : MEDIA_TYPES.ociManifest,
    digest: sha256Digest(bytes),
    bytes,
    config: readDescriptor(document.get("config") as JsonObject),
    layers: (document.get("layers") as JsonObject[]).map(readDescriptor),
  };
}
