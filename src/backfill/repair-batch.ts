import { classifyError } from "../classify-error.js";
import type { BatchReads, BatchWrites } from "./batch-store.js";
import type { ManifestParts } from "./store-read-rows.js";
import { applyRepair, RepairConflict, type AppliedRepair } from "./apply-repair.js";
import { planRepair } from "./plan-repair.js";
import type { RepairChange, RepairPlan } from "./repair-plan.js";
import type { TagResult } from "./batch-result.js";
import type { MapPlan } from "./tag-plan.js";
import type { RowCounts, WriteIds } from "./write-pass.js";
import { manifestKey, planSynthesizedImages } from "./write-rows.js";

export type PlannedRepair = RepairPlan | { kind: "gone"; detail: string };

/**
 * Plans the repair of every mapped tag of a batch (reprocess --force) from the rows they have: four
 * set-based reads whatever the batch size (mapped rows, manifest rows with their blobs and legacy
 * images, blob checksums, synthesised images already there), then planRepair per tag in memory.
 */
export async function planRepairs(
  store: BatchReads,
  plans: readonly MapPlan[],
  now: Date,
): Promise<Map<number, PlannedRepair>> {
  const out = new Map<number, PlannedRepair>();
  if (plans.length === 0) return out;
  const states = new Map(
    (await store.loadMappedStates(plans.map((plan) => plan.tag.id))).map((s) => [s.repositoryTagId, s]),
  );
  const keys = plans.flatMap((plan) => {
    const state = states.get(plan.tag.id);
    const wanted =
      plan.manifest.kind === "plan"
        ? [{ repositoryId: plan.tag.repositoryId, digest: plan.manifest.digest }]
        : [];
    const current = state?.manifest
      ? [{ repositoryId: state.manifest.repositoryId, digest: state.manifest.digest }]
      : [];
    return [...wanted, ...current];
  });
  const manifests = new Map<string, ManifestParts>(
    (await store.loadManifestParts(keys)).map((m) => [manifestKey(m.repositoryId, m.digest), m]),
  );
  const checksums = await store.loadStorageChecksums(
    plans.flatMap((plan) => (plan.manifest.kind === "plan" ? plan.manifest.blobIds : [])),
  );
  const existingImages = new Set(
    (await store.loadRepositoryImages(planSynthesizedImages(plans))).map(
      (i) => `${i.repositoryId}:${i.dockerImageId}`,
    ),
  );
  for (const plan of plans) {
    const state = states.get(plan.tag.id);
    if (state === undefined) {
      out.set(plan.tag.id, { kind: "gone", detail: "its mapping was removed since the batch was loaded" });
      continue;
    }
    out.set(plan.tag.id, planRepair({ plan, state, manifests, checksums, existingImages, now }));
  }
  return out;
}

export type AppliedOrFailed =
  | { ok: true; applied: AppliedRepair }
  | { ok: false; reason: "concurrent_change" | "unexpected_error"; detail: string };

/**
 * Applies every planned repair, each tag in its own savepoint: a tag's changes land together or not at
 * all, and one that throws is rolled back and recorded without stopping the others. Per-tag statements:
 * repairs are the exception (most mapped tags come back unchanged and cost nothing here).
 */
export async function applyRepairs(
  store: BatchWrites,
  plans: readonly MapPlan[],
  repairs: ReadonlyMap<number, PlannedRepair>,
  ids: WriteIds,
): Promise<{ applied: Map<number, AppliedOrFailed>; rows: RowCounts }> {
  const applied = new Map<number, AppliedOrFailed>();
  const rows: RowCounts = {};
  let n = 0;
  for (const plan of plans) {
    const repair = repairs.get(plan.tag.id);
    if (repair?.kind !== "repair") continue;
    const name = `reprocess_${++n}`;
    await store.savepoint(name);
    try {
      const done = await applyRepair(store, plan, repair.actions, ids);
      await store.releaseSavepoint(name);
      for (const [table, count] of Object.entries(done.rows)) rows[table] = (rows[table] ?? 0) + count;
      applied.set(plan.tag.id, { ok: true, applied: done });
    } catch (err) {
      // A lock or statement timeout is the batch's, not the tag's: the whole batch is retried later.
      if (classifyError(err) === "contended") throw err;
      await store.rollbackToSavepoint(name);
      await store.releaseSavepoint(name);
      const detail = err instanceof Error ? err.message : String(err);
      const reason = err instanceof RepairConflict ? "concurrent_change" : "unexpected_error";
      applied.set(plan.tag.id, { ok: false, reason, detail });
    }
  }
  return { applied, rows };
}

/**
 * The result of a mapped tag: repaired and unchanged tags are recorded with the outcome and reason of
 * the mapping they now have (what verify and `--reason` read); a refused or failed one keeps its
 * recorded mapping outcome (`skipped`/`failed` here only count it) and gets the code in `reprocess`.
 */
export function repairResult(
  plan: MapPlan,
  repair: PlannedRepair,
  applied: AppliedOrFailed | undefined,
  dryRun: boolean,
): TagResult {
  const tag = plan.tag;
  const base = {
    repositoryTagId: tag.id,
    repository: tag.namespace === "" ? tag.repository : `${tag.namespace}/${tag.repository}`,
    tag: tag.name,
  };
  const mapping = {
    outcome: plan.broken ? ("backfilled_broken" as const) : ("backfilled" as const),
    reason: plan.reason,
    detail: plan.detail,
    manifestDigest: plan.manifest.kind === "plan" ? plan.manifest.digest : plan.manifest.digest,
    rewrittenIds: plan.rewrittenIds,
  };
  const kept = { manifestDigest: null, rewrittenIds: 0, changes: [] as RepairChange[] };
  switch (repair.kind) {
    case "gone":
      return {
        ...base,
        ...kept,
        outcome: "failed",
        reason: "concurrent_change",
        detail: repair.detail,
        reprocess: "failed",
        reprocessDetail: repair.detail,
      };
    case "refused": {
      const detail = `${repair.code}: ${repair.detail}`;
      return {
        ...base,
        ...kept,
        outcome: "skipped",
        reason: repair.code,
        detail,
        reprocess: "refused",
        reprocessDetail: detail,
      };
    }
    case "unchanged":
      return { ...base, ...mapping, reprocess: "unchanged", reprocessDetail: null, changes: [] };
    case "repair":
      break;
  }
  if (!dryRun && applied?.ok !== true) {
    const failure = applied ?? { reason: "unexpected_error" as const, detail: "the repair was not applied" };
    const detail = `repair rolled back: ${failure.detail}`;
    return {
      ...base,
      ...kept,
      outcome: "failed",
      reason: failure.reason,
      detail,
      reprocess: "failed",
      reprocessDetail: detail,
    };
  }
  const summary = repair.changes.map((c) => `${c.table}.${c.column}`);
  const notes = repair.notes.length > 0 ? `; ${repair.notes.join("; ")}` : "";
  return {
    ...base,
    ...mapping,
    reprocess: "repaired",
    reprocessDetail: `${[...new Set(summary)].join(", ")}${notes}`,
    changes: repair.changes,
  };
}
