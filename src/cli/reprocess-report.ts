import type { TagResult } from "../backfill/batch-result.js";
import type { RepairChange } from "../backfill/repair-plan.js";

/**
 * One dry-run line per change, tab-separated and stable for scripts:
 * `<repositorytag id>\t<ns/repo:tag>\t<table>.<column>\t<row>\t<old> -> <new>`. `row` is the row's id,
 * `new` for a row to insert, or a `column=value` key.
 */
export function formatChangeLine(
  result: Pick<TagResult, "repository" | "tag">,
  change: RepairChange,
): string {
  return [
    change.repositoryTagId,
    `${result.repository}:${result.tag}`,
    `${change.table}.${change.column}`,
    change.row,
    `${change.old} -> ${change.new}`,
  ].join("\t");
}

/** A tag the dry run would map (not mapped yet), or a mapped tag it would refuse to repair. */
export function formatTagLine(result: TagResult): string | undefined {
  const name = `${result.repositoryTagId}\t${result.repository}:${result.tag}`;
  if (result.reprocess === undefined) {
    if (result.outcome === "skipped") return `${name}\tskip\t${result.reason ?? ""}`;
    const what = `${result.outcome}${result.reason ? ` (${result.reason})` : ""}`;
    return `${name}\tmap\t${what} ${result.manifestDigest ?? ""}`.trimEnd();
  }
  if (result.reprocess === "refused" || result.reprocess === "failed") {
    return `${name}\t${result.reprocess}\t${result.reprocessDetail ?? result.detail ?? ""}`;
  }
  return undefined;
}

export interface ReprocessTally {
  selected: number;
  mapped: number;
  repaired: number;
  unchanged: number;
  refused: number;
  failed: number;
  skipped: number;
  changes: number;
}

/** Counts of a reprocess over its tag results: mapped = newly mapped, the rest = what happened to mapped tags. */
export function tally(results: readonly TagResult[]): ReprocessTally {
  const t: ReprocessTally = {
    selected: results.length,
    mapped: 0,
    repaired: 0,
    unchanged: 0,
    refused: 0,
    failed: 0,
    skipped: 0,
    changes: 0,
  };
  for (const r of results) {
    t.changes += r.changes?.length ?? 0;
    if (r.reprocess !== undefined) t[r.reprocess]++;
    else if (r.outcome === "failed") t.failed++;
    else if (r.outcome === "skipped") t.skipped++;
    else t.mapped++;
  }
  return t;
}

export function formatTally(t: ReprocessTally, dryRun: boolean): string {
  const verb = dryRun ? "would be " : "";
  return (
    `${t.selected} tag(s): ${t.mapped} ${verb}mapped, ${t.repaired} ${verb}repaired (${t.changes} change(s)), ` +
    `${t.unchanged} unchanged, ${t.refused} refused, ${t.skipped} skipped, ${t.failed} failed\n`
  );
}
