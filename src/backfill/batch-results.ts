import type { DroppedTag } from "./prepare-write.js";
import type { TagPlan } from "./tag-plan.js";
import type { IsolatedWrite } from "./write-isolated.js";
import type { TagResult } from "./batch-result.js";

/** Every tag's outcome, in the batch's order, from its plan and what the write made of it. */
export function tagResults(
  plans: readonly TagPlan[],
  dropped: ReadonlyMap<number, DroppedTag>,
  written: IsolatedWrite,
  /** repositorytag id -> the existing `tag` row its mapping reused. */
  reusedTags: ReadonlyMap<number, number>,
): TagResult[] {
  return plans.map((plan): TagResult => {
    const tag = plan.tag;
    const base = {
      repositoryTagId: tag.id,
      repository: tag.namespace === "" ? tag.repository : `${tag.namespace}/${tag.repository}`,
      tag: tag.name,
      manifestDigest: null,
      rewrittenIds: 0,
    };
    switch (plan.kind) {
      case "skip":
        return { ...base, outcome: "skipped", reason: plan.reason, detail: plan.detail };
      case "fail":
        return { ...base, outcome: "failed", reason: plan.reason, detail: plan.detail };
      case "map":
        break;
    }
    const lost = dropped.get(tag.id) ?? written.dropped.get(tag.id);
    if (lost !== undefined)
      return { ...base, outcome: lost.outcome, reason: lost.reason, detail: lost.detail };
    const error = written.failed.get(tag.id);
    if (error !== undefined) return { ...base, outcome: "failed", reason: "unexpected_error", detail: error };
    const manifest = written.manifests.get(tag.id);
    const reused = reusedTags.get(tag.id);
    const notes = [plan.detail, reused === undefined ? null : `reused tag row ${reused} that had no mapping`];
    const detail = notes.filter((note) => note !== null).join("; ");
    return {
      ...base,
      outcome: plan.broken ? "backfilled_broken" : "backfilled",
      reason: plan.reason,
      detail: detail === "" ? null : detail,
      manifestDigest: manifest?.digest ?? plan.manifest.digest,
      rewrittenIds: plan.rewrittenIds,
    };
  });
}
