import type { ExistingTag, TagState } from "./store-read-rows.js";
import type { FailReason, SkipReason } from "./reasons.js";
import type { MapPlan } from "./tag-plan.js";
import type { WritablePlan } from "./write-pass.js";

export type DroppedTag = { outcome: "skipped" | "failed"; reason: SkipReason | FailReason; detail: string };

export interface PreparedWrite {
  writable: WritablePlan[];
  /** Tags not to write after all: the database changed since the batch was loaded. */
  dropped: Map<number, DroppedTag>;
}

/** The `tag` key of a legacy tag: lifetimes in milliseconds (docs/domain-rules.md). */
export function tagKeyOf(plan: MapPlan): {
  repositoryId: number;
  name: string;
  lifetimeEndMs: number | null;
} {
  const end = plan.tag.lifetimeEndTs;
  return {
    repositoryId: plan.tag.repositoryId,
    name: plan.tag.name,
    lifetimeEndMs: end === null ? null : end * 1000,
  };
}

/**
 * Checks the plans against the database as it is once the tags are locked: a tag mapped meanwhile is
 * skipped, a tag whose tag manifest changed is left for a later run, and a `tag` row that already exists
 * with the same key but no mapping (Quay wrote it) is reused rather than duplicated.
 */
export function prepareWrite(
  plans: readonly MapPlan[],
  states: readonly TagState[],
  existingTags: readonly ExistingTag[],
): PreparedWrite {
  const stateOf = new Map(states.map((state) => [state.id, state]));
  const unmappedTags = new Map<string, number[]>();
  const mappedKeys = new Set<string>();
  for (const tag of existingTags) {
    const key = JSON.stringify([tag.repositoryId, tag.name, tag.lifetimeEndMs]);
    if (tag.mappedTo === null) unmappedTags.set(key, [...(unmappedTags.get(key) ?? []), tag.id]);
    else mappedKeys.add(key);
  }
  const writable: WritablePlan[] = [];
  const dropped = new Map<number, DroppedTag>();
  const changed = (plan: MapPlan, detail: string) =>
    dropped.set(plan.tag.id, { outcome: "failed", reason: "concurrent_change", detail });

  for (const plan of plans) {
    const state = stateOf.get(plan.tag.id);
    if (state === undefined) {
      changed(plan, "the repositorytag row was deleted during the batch");
      continue;
    }
    if (state.mapped) {
      dropped.set(plan.tag.id, {
        outcome: "skipped",
        reason: "already_mapped",
        detail: "mapped by another writer during the batch",
      });
      continue;
    }
    const expectedTagManifest = plan.tagManifest.kind === "existing" ? plan.tagManifest.id : null;
    if (state.tagManifestId !== expectedTagManifest) {
      changed(plan, "its tag manifest changed since the batch was loaded; a later run maps it");
      continue;
    }
    if (plan.manifest.kind === "plan" && state.linked) {
      changed(
        plan,
        "its tag manifest was linked to a manifest since the batch was loaded; a later run maps it",
      );
      continue;
    }
    const key = tagKeyOf(plan);
    const keyText = JSON.stringify([key.repositoryId, key.name, key.lifetimeEndMs]);
    const reusable = unmappedTags.get(keyText);
    const reuseTagId = reusable?.shift() ?? null;
    if (reuseTagId === null && key.lifetimeEndMs !== null && mappedKeys.has(keyText)) {
      // The unique index forbids a second row, and the one there belongs to another legacy tag.
      dropped.set(plan.tag.id, {
        outcome: "failed",
        reason: "tag_conflict",
        detail: `a tag row named ${key.name} ending at ${key.lifetimeEndMs} is mapped to another repositorytag`,
      });
      continue;
    }
    writable.push({ plan, reuseTagId });
  }
  return { writable, dropped };
}
