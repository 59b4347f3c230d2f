import type { MappedTag } from "./mapped-tag.js";

/**
 * docs/domain-rules.md (the `tag` row) re-derived: the tag row a repositorytag maps to. Returns what differs,
 * one phrase per field, empty when the tag is right. `lifetime_end_ts` null stays null and 0 stays 0.
 */
export function tagFieldDifferences(mapped: MappedTag): string[] {
  const { tag, legacy } = mapped;
  if (tag === null) return [];
  const expected: [string, unknown, unknown][] = [
    ["name", tag.name, legacy.name],
    ["repository_id", tag.repositoryId, legacy.repositoryId],
    ["tagtorepositorytag.repository_id", mapped.mappingRepositoryId, legacy.repositoryId],
    ["reversion", tag.reversion, legacy.reversion],
    ["hidden", tag.hidden, legacy.hidden],
    ["lifetime_start_ms", tag.lifetimeStartMs, legacy.lifetimeStartTs * 1000],
    [
      "lifetime_end_ms",
      tag.lifetimeEndMs,
      legacy.lifetimeEndTs === null ? null : legacy.lifetimeEndTs * 1000,
    ],
    ["tag_kind", tag.kind, "tag"],
  ];
  return expected
    .filter(([, actual, wanted]) => actual !== wanted)
    .map(([field, actual, wanted]) => `${field} ${show(actual)}, expected ${show(wanted)}`);
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
