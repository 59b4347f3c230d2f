import type { Bloat } from "./plan-chain.js";

/**
 * Four characters that cost 6 bytes stored (UTF-8) but 24 in a manifest (`\u00e9`, `\u007f`: Python's
 * ensure_ascii escapes DEL too) and 28 once a stripped layer is re-dumped and embedded again (`\\u00e9`).
 */
const UNIT = "é\u007fß\u007f";
const MANIFEST_BYTES_PER_UNIT = 24;
const STRIPPED_BYTES_PER_UNIT = 28;
/** Comfortably over Quay's 3 MiB limit (3,145,728 bytes). */
const TARGET_BYTES = 3.5 * 1024 * 1024;
const UNITS_PER_VALUE = 4096;

const cache = new Map<Bloat, Readonly<Record<string, string>>>();

/**
 * `config.Labels` big enough to push a manifest over 3 MiB. The labels appear in both `config` and
 * `container_config`, so each unit counts twice. `strippable`: one of at least two bloated non-leaf
 * layers (half the target each), gone once metadata is stripped; `leaf`: the leaf alone exceeds the limit
 * even re-dumped after stripping, which keeps the leaf whole.
 */
export function bloatLabels(kind: Bloat): Readonly<Record<string, string>> {
  const hit = cache.get(kind);
  if (hit) return hit;
  const units =
    kind === "leaf"
      ? Math.ceil(TARGET_BYTES / (2 * STRIPPED_BYTES_PER_UNIT))
      : Math.ceil(TARGET_BYTES / (2 * MANIFEST_BYTES_PER_UNIT) / 2);
  const labels: Record<string, string> = {};
  const value = UNIT.repeat(UNITS_PER_VALUE);
  for (let i = 0; i * UNITS_PER_VALUE < units; i++) {
    labels[`org.example.blob.${String(i).padStart(4, "0")}`] = value;
  }
  cache.set(kind, Object.freeze(labels));
  return labels;
}
