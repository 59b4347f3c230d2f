import type { ManifestFacts } from "./inspect-manifest.js";
import type { MappedTag } from "./mapped-tag.js";
import type { ProblemCode } from "./problem-classes.js";

export interface StoredBytesFinding {
  code: Extract<
    ProblemCode,
    | "manifest_bytes_mismatch"
    | "manifest_bytes_shared_digest"
    | "tagmanifest_digest_mismatch"
    | "placeholder_hides_manifest"
  >;
  detail: string;
}

/**
 * docs/domain-rules.md, stored manifests: `manifest_bytes` = `tagmanifest.json_data` and both carry one
 * digest. Two shapes differ from that and are still what a correct run writes, so they are told apart from
 * corruption here:
 *
 * - A stored json_data that is no manifest at all gets Quay's placeholder (`BROKEN-<id>`, `{}`, broken)
 *   while the tagmanifest keeps its stored bytes and digest: accepted when json_data really is unreadable
 *   (`storedFacts`, parsed here, not taken from the run's word); a readable one behind a placeholder fails.
 * - One `manifest` row per (repository, digest) holds one set of bytes, so tags whose stored manifests have
 *   the same payload but other signatures (or none) share a row with bytes not their own: a notice when
 *   json_data's own recomputed digest and that of manifest_bytes are both the manifest's digest. Any
 *   other byte difference fails.
 *
 * `placeholder` says whether the mapped manifest is a placeholder whose own shape is checked elsewhere.
 */
export function checkStoredBytes(
  mapped: MappedTag,
  placeholder: boolean,
  storedFacts: ManifestFacts | undefined,
  manifestFacts: ManifestFacts | undefined,
): StoredBytesFinding[] {
  const { tagManifest, manifest } = mapped;
  if (tagManifest === null || manifest === null) return [];
  const digestsDiffer = tagManifest.digest !== manifest.digest;
  const digestFinding: StoredBytesFinding = {
    code: "tagmanifest_digest_mismatch",
    detail: `tagmanifest ${tagManifest.digest}, manifest ${manifest.digest}`,
  };
  if (tagManifest.bytesEqualManifest !== false) return digestsDiffer ? [digestFinding] : [];

  const sizes = `manifest ${manifest.id} has ${manifest.bytesLength} bytes, tagmanifest.json_data ${tagManifest.jsonDataLength}`;
  if (placeholder) {
    if (storedFacts === undefined || storedFacts.readable) {
      const what =
        storedFacts === undefined ? "was not loaded" : `is a readable manifest (${storedFacts.digest})`;
      return [
        { code: "placeholder_hides_manifest", detail: `placeholder ${manifest.digest}; json_data ${what}` },
      ];
    }
    return [];
  }
  const shared =
    storedFacts?.readable === true &&
    manifestFacts?.readable === true &&
    storedFacts.digest === manifest.digest &&
    manifestFacts.digest === manifest.digest;
  if (shared) {
    const findings: StoredBytesFinding[] = [
      {
        code: "manifest_bytes_shared_digest",
        detail: `${sizes}; both have payload digest ${manifest.digest} (another tag's bytes hold the row)`,
      },
    ];
    return digestsDiffer ? [...findings, digestFinding] : findings;
  }
  const own =
    storedFacts === undefined
      ? ""
      : storedFacts.readable
        ? `; json_data's digest is ${storedFacts.digest}`
        : "; json_data is not a readable manifest";
  const findings: StoredBytesFinding[] = [
    { code: "manifest_bytes_mismatch", detail: `${sizes}; contents differ${own}` },
  ];
  return digestsDiffer ? [...findings, digestFinding] : findings;
}
