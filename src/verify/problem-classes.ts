/**
 * Every problem `backfill verify` reports, under a stable code (scripts and dashboards key on it). A
 * `failing` problem makes verify exit 1: the legacy tables must not be dropped yet. A `notice` is shown
 * but does not fail the gate: it describes data that was never ours to change.
 */
export const PROBLEM_CLASSES = {
  unmapped: {
    severity: "failing",
    summary: "non-hidden repositorytag without a tagtorepositorytag row (the backfill is not finished)",
  },
  tag_missing: { severity: "failing", summary: "tagtorepositorytag points at no tag row" },
  tag_mismatch: {
    severity: "failing",
    summary:
      "tag fields differ from the repositorytag (name, repository, reversion, hidden, lifetimes, kind)",
  },
  tag_manifest_mismatch: { severity: "failing", summary: "tag.manifest_id is not the mapped manifest" },
  tagmanifest_missing: { severity: "failing", summary: "mapped repositorytag has no tagmanifest row" },
  mapping_missing: {
    severity: "failing",
    summary: "tagmanifest has no tagmanifesttomanifest row (or its manifest is gone)",
  },
  manifest_repository_mismatch: {
    severity: "failing",
    summary: "manifest belongs to another repository than its tag",
  },
  manifest_bytes_mismatch: {
    severity: "failing",
    summary:
      "manifest_bytes differs from tagmanifest.json_data, and json_data's own digest is not the manifest's",
  },
  manifest_bytes_shared_digest: {
    severity: "notice",
    summary:
      "manifest_bytes differs from tagmanifest.json_data with the same payload digest: one manifest row per digest holds one tag's signatures",
  },
  placeholder_hides_manifest: {
    severity: "failing",
    summary:
      "the tag maps to a BROKEN- placeholder although its stored tagmanifest.json_data is a readable manifest",
  },
  tagmanifest_digest_mismatch: {
    severity: "failing",
    summary: "tagmanifest.digest differs from manifest.digest",
  },
  manifest_digest_mismatch: {
    severity: "failing",
    summary: "manifest.digest is not the digest of its bytes",
  },
  manifest_unparseable: {
    severity: "failing",
    summary: "manifest bytes cannot be read, yet the mapping is not marked broken",
  },
  media_type_mismatch: {
    severity: "failing",
    summary: "media type does not match the manifest (signatures present or not)",
  },
  signature_invalid: { severity: "failing", summary: "a signature of the manifest does not verify" },
  placeholder_invalid: {
    severity: "failing",
    summary: "broken placeholder is not BROKEN-<repositorytag id> / {} / signed-schema1 / no blobs / broken",
  },
  blob_missing: {
    severity: "failing",
    summary: "a blobSum of the manifest has no manifestblob row",
  },
  blob_unexpected: {
    severity: "failing",
    summary: "a manifestblob row matches no blobSum, duplicates one, or is not a storage the tag may use",
  },
  legacy_image_missing: { severity: "failing", summary: "manifest has no manifestlegacyimage row" },
  legacy_image_mismatch: {
    severity: "failing",
    summary: "manifestlegacyimage is not the chain's leaf (id of the first history entry) in the repository",
  },
  pull_check_failed: {
    severity: "failing",
    summary: "a manifest this project generated fails the pull check for a reason its run did not record",
  },
  generated_not_pullable: {
    severity: "notice",
    summary:
      "a generated manifest copies legacy data clients refuse (outcome not_pullable: v1 metadata, a non-sha256 digest), as Quay maps it",
  },
  stored_not_pullable: {
    severity: "notice",
    summary: "a stored manifest (written by a client or by Quay) fails the pull check; never ours to change",
  },
  tarsum_not_pullable: {
    severity: "notice",
    summary:
      "tarsum blobSums (outcome tarsum_checksum, generated or stored): mapped, but current clients cannot pull it",
  },
  orphan_tag: {
    severity: "failing",
    summary:
      "tag row made by a mapping (matches a repositorytag, manifest mapped) without its tagtorepositorytag",
  },
  orphan_manifest: {
    severity: "failing",
    summary: "manifest with no tag, no tagmanifesttomanifest and no parent list",
  },
  dangling_manifestblob: {
    severity: "failing",
    summary: "manifestblob points at a missing manifest or storage, or crosses repositories",
  },
  dangling_legacy_image: {
    severity: "failing",
    summary: "manifestlegacyimage points at a missing manifest or image, or crosses repositories",
  },
} as const satisfies Record<string, { severity: "failing" | "notice"; summary: string }>;

export type ProblemCode = keyof typeof PROBLEM_CLASSES;
export type Severity = "failing" | "notice";

export const PROBLEM_CODES = Object.keys(PROBLEM_CLASSES) as ProblemCode[];

export function severityOf(code: ProblemCode): Severity {
  return PROBLEM_CLASSES[code].severity;
}
