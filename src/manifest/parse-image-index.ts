import { readDescriptor, type Descriptor } from "./descriptor.js";
import { sha256Digest } from "./digest.js";
import type { JsonObject } from "./json-value.js";
import { validateShape } from "./manifest-schemas.js";
import { MEDIA_TYPES } from "./media-types.js";
import { refuseMixedKinds } from "./refuse-mixed-kinds.js";
import type { ManifestDocument } from "./read-document.js";

/** A Docker manifest list or an OCI index: children with their platforms. */
export interface ParsedImageIndex {
  kind: "manifest-list" | "oci-index";
  mediaType: string;
  digest: string;
  bytes: Buffer;
  manifests: Descriptor[];
}

export function imageIndexFromDocument(
  { bytes, document }: ManifestDocument,
  kind: ParsedImageIndex["kind"],
): ParsedImageIndex {
  // Docker's list requires a platform on every child; OCI makes it optional.
  validateShape(kind === "manifest-list" ? "dockerList" : "ociIndex", document);
  refuseMixedKinds(document, kind);
  const declared = document.get("mediaType");
  return {
    kind,
    mediaType:
      typeof declared === "string"
        ? declared
        : kind === "manifest-list"
          ? MEDIA_TYPES.manifestList
          : MEDIA_TYPES.ociIndex,
    digest: sha256Digest(bytes),
    bytes,
    manifests: (document.get("manifests") as JsonObject[]).map(readDescriptor),
  };
}
