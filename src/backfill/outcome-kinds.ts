/** What a batch recorded for a tag (`backfill.tag_outcome.outcome`). */
export type TagOutcomeKind = "backfilled" | "backfilled_broken" | "skipped" | "failed";

export const OUTCOME_KINDS: readonly TagOutcomeKind[] = [
  "backfilled",
  "backfilled_broken",
  "skipped",
  "failed",
];

export function emptyCounts(): Record<TagOutcomeKind, number> {
  return { backfilled: 0, backfilled_broken: 0, skipped: 0, failed: 0 };
}
