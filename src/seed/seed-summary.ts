import type { TagManifestKind } from "./plan-repository.js";
import type { SeedChunk } from "./seed-rows.js";
import { DEFECT_CLASSES, type DefectClass } from "./seed-options.js";

/** Running totals over the chunks written: rows per table and what the tags got. */
export interface SeedTotals {
  rows: Record<string, number>;
  hidden: number;
  dead: number;
  defects: Record<DefectClass, number>;
  tagManifests: Record<TagManifestKind, number>;
  seconds: number;
}

const TABLES: readonly [keyof SeedChunk, string][] = [
  ["users", "user"],
  ["repositories", "repository"],
  ["storages", "imagestorage"],
  ["images", "image"],
  ["tags", "repositorytag"],
  ["tagManifests", "tagmanifest"],
  ["labels", "label"],
  ["tagManifestLabels", "tagmanifestlabel"],
];

export function emptyTotals(): SeedTotals {
  return {
    rows: Object.fromEntries(TABLES.map(([, table]) => [table, 0])),
    hidden: 0,
    dead: 0,
    defects: Object.fromEntries(DEFECT_CLASSES.map((d) => [d, 0])) as Record<DefectClass, number>,
    tagManifests: { signed: 0, unsigned: 0, corrupt: 0 },
    seconds: 0,
  };
}

export function addChunk(totals: SeedTotals, chunk: SeedChunk): void {
  for (const [key, table] of TABLES) {
    const rows = chunk[key];
    if (Array.isArray(rows)) totals.rows[table] = (totals.rows[table] ?? 0) + rows.length;
  }
  totals.hidden += chunk.stats.hidden;
  totals.dead += chunk.stats.dead;
  for (const [defect, n] of Object.entries(chunk.stats.defects)) totals.defects[defect as DefectClass] += n;
  for (const [kind, n] of Object.entries(chunk.stats.tagManifests)) {
    totals.tagManifests[kind as TagManifestKind] += n;
  }
}

/** The final line: counts per table, per defect and per kind of existing tagmanifest, and the time. */
export function seedSummary(totals: SeedTotals): string {
  const rows = Object.entries(totals.rows).map(([t, n]) => `${t}=${n}`);
  const defects = Object.entries(totals.defects).map(([d, n]) => `${d}=${n}`);
  const manifests = Object.entries(totals.tagManifests).map(([k, n]) => `${k}=${n}`);
  return (
    `seeded in ${totals.seconds.toFixed(1)}s: ${rows.join(" ")}; tags hidden=${totals.hidden} dead=${totals.dead}; ` +
    `existing tagmanifests ${manifests.join(" ")}; defects ${defects.join(" ")}`
  );
}
