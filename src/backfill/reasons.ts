import type { RefusalCode } from "./repair-plan.js";

/**
 * Reason codes recorded in `backfill.tag_outcome.reason` and in `tag.broken` log lines. Stable strings:
 * dashboards and `reprocess --reason` select on them.
 */

/** Why a tag got a broken mapping (Quay's placeholder, or a stored manifest with a blob missing). */
export type BrokenReason =
  /** A parent in `ancestors` is not an image of the tag's repository. */
  | "missing_parent"
  /** The tag's own image belongs to another repository. */
  | "foreign_image"
  /** `ancestors` is null or not `/<id>/…/`. */
  | "invalid_ancestors"
  /** An image of the chain has no storage row. */
  | "null_storage"
  /** A storage of the chain is still uploading. */
  | "uploading_storage"
  /** A storage of the chain has no content checksum. */
  | "missing_checksum"
  /** A storage's content checksum is not a digest (`algorithm:hex`): Quay could not read the manifest. */
  | "invalid_checksum"
  /** v1 metadata that is not JSON, not an object or without `id`: no pullable manifest can be made. */
  | "invalid_metadata"
  /** Over the size limit even with metadata stripped. */
  | "manifest_too_large"
  /** The stored `tagmanifest.json_data` is not a manifest. */
  | "unparseable_stored_manifest"
  /** A blob of the stored manifest exists nowhere in the repository. */
  | "missing_blob"
  /** Quay had already linked the tag manifest to a manifest marked broken; reused as it is. */
  | "existing_broken_mapping"
  /** The manifest core refused the chain for a reason of its own (see detail). */
  | "generation_failed"
  /**
   * PostgreSQL cannot hand a value of the tag's rows to this client, or take it back as a parameter
   * (bytes that are not UTF-8 in a SQL_ASCII database): the tag's chain cannot be read.
   */
  | "unreadable_row";

/** Why a mapped, not broken, tag still cannot be pulled by current clients. */
export type NoteReason =
  | "tarsum_checksum"
  /**
   * A manifest this project generated from legacy data a client refuses, copied as Quay copies it: a
   * digest clients do not pull, v1 metadata they cannot read (see detail and pull-rule.ts).
   */
  | "not_pullable"
  /** A stored tagmanifest mapped as it is (never ours to change) that a client would refuse. */
  | "stored_not_pullable";

export type SkipReason = "hidden" | "already_mapped";

/** Why a tag was not written: something unexpected, or the data changed under the batch. */
export type FailReason =
  | "unexpected_error"
  | "concurrent_change"
  | "tag_conflict"
  /** As the broken reason, but the `repositorytag` row itself cannot be read, so no tag row can be written. */
  | "unreadable_row";

export type OutcomeReason = BrokenReason | NoteReason | SkipReason | FailReason;

/** Maps a refusal code of the manifest core (`generateSchema1` reason) to ours. */
export function brokenReasonOfGeneration(code: string): BrokenReason {
  switch (code) {
    case "invalid_v1_json":
    case "v1_not_object":
    case "v1_missing_id":
    case "invalid_metadata":
      return "invalid_metadata";
    case "manifest_too_large":
    case "too_large":
      return "manifest_too_large";
    default:
      return "generation_failed";
  }
}

/** Every reason code a tag's outcome can record, for `reprocess --reason` to check what it is given. */
export const KNOWN_REASONS: readonly string[] = [
  "missing_parent",
  "foreign_image",
  "invalid_ancestors",
  "null_storage",
  "uploading_storage",
  "missing_checksum",
  "invalid_checksum",
  "invalid_metadata",
  "manifest_too_large",
  "unparseable_stored_manifest",
  "missing_blob",
  "existing_broken_mapping",
  "generation_failed",
  "unreadable_row",
  "tarsum_checksum",
  "not_pullable",
  "stored_not_pullable",
  "hidden",
  "already_mapped",
  "unexpected_error",
  "concurrent_change",
  "tag_conflict",
  // Refusals of reprocess --force (plan-repair.ts RefusalCode).
  "would_change_digest_under_live_tag",
  "would_change_digest",
  "shared_manifest_bytes",
  "inconsistent_mapping",
] satisfies readonly (OutcomeReason | RefusalCode)[];
