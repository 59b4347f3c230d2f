import type { BrokenReason } from "../reason-registry.js";

// The reasons live in one registry (src/reason-registry.ts); re-exported here for the batch core.
export {
  KNOWN_REASONS,
  type BrokenReason,
  type FailReason,
  type NoteReason,
  type OutcomeReason,
  type SkipReason,
} from "../reason-registry.js";

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
