import { MalformedManifestError } from "./errors.js";
import type { JsonObject } from "./json-value.js";

type Kind = "schema1" | "schema2" | "oci-manifest" | "manifest-list" | "oci-index";

/** The members that tell the kinds apart, as containers/image lists them, and which each kind may have. */
const KIND_MEMBERS = ["config", "fsLayers", "history", "layers", "manifests"] as const;
const ALLOWED: Readonly<Record<Kind, readonly string[]>> = {
  schema1: ["fsLayers", "history"],
  schema2: ["config", "layers"],
  "oci-manifest": ["config", "layers"],
  "manifest-list": ["manifests"],
  "oci-index": ["manifests"],
};

/**
 * Refuses a document of one kind that also carries a member of another (`manifests` in an image
 * manifest, `layers` in an index, `fsLayers` in schema2): clients would read it as one kind or the other
 * depending on who asks, so containers/image and distribution refuse it. Like Go's JSON decoding, which
 * those checks rely on, a member matches whatever its letter case, and a `null` one counts as absent.
 */
export function refuseMixedKinds(document: JsonObject, kind: Kind): void {
  const allowed = ALLOWED[kind];
  for (const [key, value] of document) {
    if (value === null) continue;
    const member = KIND_MEMBERS.find((name) => name.toLowerCase() === key.toLowerCase());
    if (member !== undefined && !allowed.includes(member)) {
      throw new MalformedManifestError(
        "ambiguous_kind",
        `/${key}`,
        `rejecting ambiguous manifest: unexpected field ${key} in a manifest of kind ${kind}`,
      );
    }
  }
}
