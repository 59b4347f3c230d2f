import { escapeControls } from "./escape-controls.js";
import type { ExplainManifest, ExplainReport } from "./explain-tag.js";

export function explainJson(report: ExplainReport): string {
  return JSON.stringify(report, null, 2);
}

/**
 * The human form: the tag, its chain as loaded, defects, the plan, and (when mapped) what was written.
 * Control characters of stored text are escaped (escapeControls); `--json` carries the text as it is.
 */
export function explainText(report: ExplainReport): string {
  const out: string[] = [];
  const { tag } = report;
  const state = tag.hidden ? "hidden" : tag.alive ? "alive" : `dead since ${isoTs(tag.lifetimeEndTs)}`;
  out.push(`tag #${tag.repositoryTagId} ${tag.display} (${state})`);
  if (tag.picked !== null) out.push(`  ${tag.picked}`);
  out.push(
    `  lifetime ${isoTs(tag.lifetimeStartTs)} .. ${tag.lifetimeEndTs === null ? "open" : isoTs(tag.lifetimeEndTs)}, reversion ${tag.reversion}, image ${tag.imageId}`,
  );

  out.push(
    "",
    `chain as loaded (leaf first, ${report.chain.length} image${report.chain.length === 1 ? "" : "s"})`,
  );
  if (report.chain.length === 0) out.push("  (no image could be loaded)");
  for (const layer of report.chain) {
    const v1 = layer.v1JsonBytes === null ? "v1 JSON null" : `v1 JSON ${layer.v1JsonBytes} B ${layer.v1Json}`;
    out.push(
      `  image ${layer.imageId}  ${layer.dockerImageId}  repo ${layer.repositoryId}  storage ${layer.storageId ?? "none"}  ${layer.checksum ?? "no checksum"}  uploading ${layer.uploading ?? "?"}  ${v1}`,
    );
  }

  const stored = report.storedManifest;
  if (stored !== null) {
    const link = stored.linkedManifestId === null ? "" : `, linked to manifest ${stored.linkedManifestId}`;
    const what = stored.placeholder ? " (the placeholder a run wrote)" : "";
    out.push(
      "",
      `tagmanifest #${stored.tagManifestId}: ${stored.digest}${what}, ${stored.sizeBytes} bytes${link}`,
    );
  }

  out.push("", "defects");
  if (report.defects.length === 0) out.push("  none");
  for (const defect of report.defects) {
    out.push(
      `  ${defect.code}${defect.imageId === undefined ? "" : ` (image ${defect.imageId})`}: ${defect.detail}`,
    );
  }

  const plan = report.plan;
  out.push("", "what a run would do now");
  out.push(`  outcome ${plan.outcome}${plan.reason === null ? "" : `, reason ${plan.reason}`}`);
  if (plan.detail !== null) out.push(`  detail: ${plan.detail}`);
  if (plan.source !== null) out.push(`  manifest source: ${plan.source}`);
  if (plan.manifest !== null) out.push(...manifestLines(plan.manifest));
  if (plan.rewrittenIds.length > 0) {
    out.push(`  ids rewritten (v1 id rewrite), leaf first:`);
    for (const { from, to } of plan.rewrittenIds) out.push(`    ${from} -> ${to}`);
  }
  if (plan.synthesizedImages > 0) out.push(`  image rows to synthesise: ${plan.synthesizedImages}`);
  if (plan.labels > 0) out.push(`  labels to carry: ${plan.labels}`);

  const mapped = report.mapped;
  if (mapped !== null) {
    out.push("", "written (mapped rows)");
    out.push(
      `  tag ${mapped.tagId ?? "missing"}, tagmanifest ${mapped.tagManifestId ?? "missing"}, manifest ${mapped.manifestId ?? "missing"}${mapped.broken === null ? "" : `, broken ${mapped.broken}`}`,
    );
    if (mapped.manifest !== null) out.push(...manifestLines(mapped.manifest));
    const li = mapped.legacyImage;
    out.push(`  legacy image: ${li === null ? "none" : `${li.imageId} (${li.dockerImageId ?? "missing"})`}`);
    const recorded = mapped.outcome;
    out.push(
      `  recorded outcome: ${recorded === null ? "none (mapped outside this tool's runs)" : `${recorded.outcome}${recorded.reason === null ? "" : `, reason ${recorded.reason}`}`}`,
    );
    if (recorded?.detail) out.push(`  recorded detail: ${recorded.detail}`);
  }
  for (const note of report.notes) out.push("", `note: ${note}`);
  const shown = [plan.manifest, mapped?.manifest].find((m) => m?.bytes !== undefined);
  if (shown?.bytes !== undefined) out.push("", `manifest ${shown.digest}:`, ...shown.bytes.split("\n"));
  // Every line holds stored text (names, v1 JSON, details, manifest bytes): none may act on the terminal.
  return out.map(escapeControls).join("\n") + "\n";
}

function manifestLines(m: ExplainManifest): string[] {
  const kind = m.placeholder ? "placeholder" : m.signed ? "signed" : "unsigned";
  return [
    `  manifest ${m.digest}`,
    `    ${m.mediaType}, ${m.sizeBytes} bytes, ${kind}, stripped ${m.stripped}, ${m.blobs} blob${m.blobs === 1 ? "" : "s"}`,
  ];
}

function isoTs(ts: number | null): string {
  if (ts === null) return "never";
  const date = new Date(ts * 1000);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString().replace(".000Z", "Z");
}
