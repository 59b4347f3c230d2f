/**
 * The one registry of what can be wrong with a legacy tag: every outcome reason (stable strings recorded in
 * `backfill.tag_outcome.reason`, logged in `tag.broken`, selected by dashboards and `reprocess --reason`),
 * the extra codes `backfill explain` reports, and the defect classes `backfill seed` injects. The reason
 * types, KNOWN_REASONS, the seed's `--rate-*` options and explain's codes are all derived from it, so a new
 * class is a row here (docs/domain-rules.md describes each reason; a test holds the two together).
 */

/** Where a reason is recorded: the outcome kind of the tag, or a refused `reprocess --force` repair. */
export type ReasonOutcome = "broken" | "note" | "skip" | "fail" | "refusal";

interface ReasonEntry {
  /** The outcome(s) the reason is recorded under. */
  readonly outcomes: readonly ReasonOutcome[];
  readonly about: string;
}

export const REASONS = {
  // Broken: a placeholder mapping, or a stored manifest with a blob missing.
  missing_parent: {
    outcomes: ["broken"],
    about: "a parent in `ancestors` is not an image of the tag's repository",
  },
  foreign_image: { outcomes: ["broken"], about: "the tag's own image belongs to another repository" },
  invalid_ancestors: { outcomes: ["broken"], about: "`ancestors` is null or not `/<id>/…/`" },
  null_storage: { outcomes: ["broken"], about: "an image of the chain has no storage row" },
  uploading_storage: { outcomes: ["broken"], about: "a storage of the chain is still uploading" },
  missing_checksum: { outcomes: ["broken"], about: "a storage of the chain has no content checksum" },
  invalid_checksum: {
    outcomes: ["broken"],
    about: "a storage's content checksum is not a digest (`algorithm:hex`): Quay could not read the manifest",
  },
  invalid_metadata: {
    outcomes: ["broken"],
    about: "v1 metadata that is not JSON, not an object or without `id`: no pullable manifest can be made",
  },
  manifest_too_large: { outcomes: ["broken"], about: "over the size limit even with metadata stripped" },
  unparseable_stored_manifest: {
    outcomes: ["broken"],
    about: "the stored `tagmanifest.json_data` is not a manifest",
  },
  missing_blob: {
    outcomes: ["broken"],
    about: "a blob of the stored manifest exists nowhere in the repository",
  },
  existing_broken_mapping: {
    outcomes: ["broken"],
    about: "Quay had already linked the tag manifest to a manifest marked broken; reused as it is",
  },
  generation_failed: {
    outcomes: ["broken"],
    about: "the manifest core refused the chain for a reason of its own (see detail)",
  },
  unreadable_row: {
    outcomes: ["broken", "fail"],
    about:
      "PostgreSQL cannot hand a value of the tag's rows to this client, or take it back as a parameter (bytes that are not UTF-8 in a SQL_ASCII database); failed when it is the `repositorytag` row itself",
  },
  // Mapped, not broken, but current clients cannot pull it.
  tarsum_checksum: { outcomes: ["note"], about: "a layer's checksum is a `tarsum+…` digest, used as stored" },
  not_pullable: {
    outcomes: ["note"],
    about:
      "a manifest generated from legacy data a client refuses, copied as Quay copies it (see pull-rule.ts)",
  },
  stored_not_pullable: {
    outcomes: ["note"],
    about: "a stored tagmanifest mapped as it is (never ours to change) that a client would refuse",
  },
  hidden: { outcomes: ["skip"], about: "Quay never maps hidden tags" },
  already_mapped: { outcomes: ["skip"], about: "the tag is mapped already" },
  // Failed: something unexpected, or the data changed under the batch.
  unexpected_error: { outcomes: ["fail"], about: "planning or writing the tag threw something unexpected" },
  concurrent_change: { outcomes: ["fail"], about: "the data changed under the batch" },
  tag_conflict: {
    outcomes: ["fail"],
    about: "a `tag` row with the same repository, name and end maps another tag",
  },
  // Differences `reprocess --force` reports but does not repair.
  would_change_digest_under_live_tag: {
    outcomes: ["refusal"],
    about: "a live tag's manifest would get another digest (and the current one is no placeholder)",
  },
  would_change_digest: {
    outcomes: ["refusal"],
    about: "the same, for a dead tag: its digest is what clients pulled by; left to the operator as well",
  },
  shared_manifest_bytes: {
    outcomes: ["refusal"],
    about: "the manifest row holds other, valid signed bytes of the same payload, and other tags use it",
  },
  inconsistent_mapping: {
    outcomes: ["refusal"],
    about: "a row of the mapping itself is missing (no tag, tag manifest or link): not a reprocess repair",
  },
} as const satisfies Record<string, ReasonEntry>;

type ReasonsOf<O extends ReasonOutcome> = {
  [K in keyof typeof REASONS]: O extends (typeof REASONS)[K]["outcomes"][number] ? K : never;
}[keyof typeof REASONS];

export type BrokenReason = ReasonsOf<"broken">;
export type NoteReason = ReasonsOf<"note">;
export type SkipReason = ReasonsOf<"skip">;
export type FailReason = ReasonsOf<"fail">;
/** Differences `reprocess --force` reports but does not repair. */
export type RefusalCode = ReasonsOf<"refusal">;
export type OutcomeReason = BrokenReason | NoteReason | SkipReason | FailReason;

/** Every reason code a tag's outcome can record (refusals included), for `reprocess --reason` to check. */
export const KNOWN_REASONS: readonly string[] = Object.keys(REASONS);

/** The reasons recorded under one outcome, in table order. */
export function reasonsOf(outcome: ReasonOutcome): string[] {
  return Object.entries(REASONS)
    .filter(([, entry]) => (entry.outcomes as readonly ReasonOutcome[]).includes(outcome))
    .map(([code]) => code);
}

/**
 * The codes `backfill explain` reports besides the reasons: defects of the v1 JSON and of the id chain that
 * the v1 id rewrite repairs or the manifest core refuses (docs/domain-rules.md, v1 id rewrite).
 */
export const CHAIN_DEFECT_CODES = {
  v1_not_json: "v1_json_metadata is not JSON",
  v1_not_object: "v1_json_metadata is not a JSON object",
  v1_missing_id: "v1_json_metadata has no string id",
  invalid_v1_id: "a v1 id is not 64 lower-case hex",
  v1_id_collision: "a v1 id is already an image of the repository over another blob",
  repeated_v1_id: "a v1 id repeats a layer that is not adjacent",
  chain_link_mismatch: "a layer's v1 parent is not the next layer's id",
  load_error: "the tag's rows could not be loaded (the detail says why)",
} as const;

/** A code of `backfill explain`: a reason, or a defect of the chain's v1 JSON. */
export type DefectCode = OutcomeReason | keyof typeof CHAIN_DEFECT_CODES;

interface SeedDefectEntry {
  /** Default rate (fraction of visible tags). */
  readonly rate: number;
  readonly help: string;
  /** The outcome reason the backfill records for such a tag; null when it maps it cleanly (ids rewritten). */
  readonly reason: OutcomeReason | null;
}

/**
 * Every defect class the seeder can inject, in draw order, with its default rate and what it does. A
 * defective tag always gets image rows of its own, so the defect touches that tag and no other.
 */
export const SEED_DEFECTS = {
  "missing-parent": {
    rate: 0.005,
    help: "a parent image of the tag's chain does not exist (ancestors and parent_id name a deleted id)",
    reason: "missing_parent",
  },
  "storage-uploading": {
    rate: 0.005,
    help: "a storage of the chain has uploading = true",
    reason: "uploading_storage",
  },
  "storage-no-checksum": {
    rate: 0.005,
    help: "a storage of the chain has content_checksum NULL",
    reason: "missing_checksum",
  },
  "v1-not-json": {
    rate: 0.005,
    help: "the leaf's v1_json_metadata is not JSON (truncated text)",
    reason: "invalid_metadata",
  },
  "v1-not-object": {
    rate: 0.005,
    help: "the leaf's v1_json_metadata is JSON but not an object",
    reason: "invalid_metadata",
  },
  "v1-no-id": { rate: 0.005, help: "the leaf's v1 JSON object has no id", reason: "invalid_metadata" },
  "invalid-id": {
    rate: 0.005,
    help: "an image id of the chain is not 64 lower-case hex (upper case, short, long, prefixed)",
    reason: null,
  },
  "id-collision": {
    rate: 0.005,
    help: "a layer's v1 id names another image of the repository whose storage checksum differs",
    reason: null,
  },
  "chain-mismatch": { rate: 0.005, help: "the leaf's v1 parent is not its parent layer's id", reason: null },
  "oversize-metadata": {
    rate: 0.0005,
    help: "huge config.Labels on non-leaf layers: the signed manifest exceeds 3 MiB until metadata is stripped",
    reason: null,
  },
  "oversize-leaf": {
    rate: 0.0005,
    help: "huge config.Labels on the leaf: the manifest exceeds 3 MiB even with metadata stripped",
    reason: "manifest_too_large",
  },
  tarsum: {
    rate: 0.005,
    help: "a storage's checksum is tarsum+sha256:<hex> (old data)",
    reason: "tarsum_checksum",
  },
  // Classes added later default to 0, so a seed's existing rows stay as they were (one draw per tag).
  "v1-nul-id": {
    rate: 0,
    help: "a layer's v1 JSON id holds \\u0000 (a NUL once decoded; no PostgreSQL text can hold it)",
    reason: null,
  },
  "ancestors-out-of-range": {
    rate: 0,
    help: "the leaf's ancestors names ids no image can have (0, negative, beyond integer)",
    reason: "invalid_ancestors",
  },
  "checksum-not-sha256": {
    rate: 0,
    help: "a storage's checksum is a digest clients do not pull (md5:<hex>): mapped, not pullable",
    reason: "not_pullable",
  },
  "checksum-not-digest": {
    rate: 0,
    help: "a storage's checksum is not a digest at all (no algorithm, not hex): no manifest",
    reason: "invalid_checksum",
  },
  "v1-unpullable": {
    rate: 0,
    help: "the leaf's v1 JSON has Size NaN, 1.5 or beyond int64, created not RFC 3339, or Cmd a string",
    reason: "not_pullable",
  },
} as const satisfies Record<string, SeedDefectEntry>;
