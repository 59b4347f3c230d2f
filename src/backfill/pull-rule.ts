import type { NoteReason } from "./reasons.js";

/**
 * The one rulebook on generated manifests that clients would refuse, read by the run (what it records)
 * and by verify (what it accepts): whatever the run records as accepted, verify reports as a notice;
 * whatever verify fails, the run has recorded broken or failed.
 *
 * What Quay and Docker do decides each case:
 * - A storage checksum that is not a digest at all (`algorithm:hex`, Quay's digest_tools pattern): Quay
 *   cannot read a manifest naming it, so no manifest is made (broken, `invalid_checksum`).
 * - A digest clients do not pull (`tarsum+sha256:…`, `md5:…`), and v1 metadata a client refuses (`Size`
 *   not an int64, `created` not RFC 3339, `Cmd` not a list of strings, `container_config` not an
 *   object): Quay copies both verbatim and maps the tag; the pull fails in the client. The run maps it
 *   the same way and records why (`tarsum_checksum`, `not_pullable`); verify shows it as a notice.
 * - Anything else a client would refuse (ids, chain, signature, schema version) is the generator's to
 *   prevent (the v1 id rewrite fixes ids and links): the run records the tag broken (`generation_failed`), and a
 *   mapped manifest showing it fails verify (`pull_check_failed`).
 */

/** Pull-check codes (src/manifest/pull-check.ts) that come from legacy data copied as Quay copies it. */
export const DATA_PULL_PROBLEMS: ReadonlySet<string> = new Set([
  "invalid_blob_sum",
  "invalid_size",
  "invalid_created",
  "invalid_cmd",
  "invalid_container_config",
]);

// Quay's digest_tools pattern, as the schema1 parser reads blobSums: any algorithm name, hex.
const QUAY_DIGEST = /^[A-Za-z0-9_+.-]+:[A-Fa-f0-9]+$/;

/** Whether a storage checksum can be a blobSum Quay reads back. */
export function isQuayDigest(checksum: string): boolean {
  return QUAY_DIGEST.test(checksum);
}

export type GeneratedPullVerdict =
  { accepted: true; reason: NoteReason | null } | { accepted: false; codes: string[] };

/** The run's rule: how a generated manifest with these pull-check codes is recorded. */
export function generatedPullVerdict(codes: readonly string[], tarsum: boolean): GeneratedPullVerdict {
  const ours = [...new Set(codes.filter((code) => !DATA_PULL_PROBLEMS.has(code)))];
  if (ours.length > 0) return { accepted: false, codes: ours };
  if (tarsum) return { accepted: true, reason: "tarsum_checksum" };
  return { accepted: true, reason: codes.length > 0 ? "not_pullable" : null };
}

/** Verify's rule: the problem a generated manifest's pull-check codes are, given the recorded reason. */
export function generatedPullProblem(
  codes: readonly string[],
  recordedReason: string | null,
): "tarsum_not_pullable" | "generated_not_pullable" | "pull_check_failed" {
  if (codes.some((code) => !DATA_PULL_PROBLEMS.has(code))) return "pull_check_failed";
  if (recordedReason === "tarsum_checksum") return "tarsum_not_pullable";
  if (recordedReason === "not_pullable") return "generated_not_pullable";
  return "pull_check_failed";
}
