import { isJsonObject, toPlain, type JsonValue } from "../manifest/json-value.js";
import { chooseLegacyChild } from "../manifest/legacy-child.js";
import { parseManifest } from "../manifest/parse-manifest.js";
import { pullCheck, type PullProblem } from "../manifest/pull-check.js";
import { verifySchema1Signatures, type SignatureVerdict } from "../manifest/verify-schema1.js";
import type { Platform } from "../manifest/descriptor.js";

/** What `manifest inspect` reports: skopeo inspect's fields, plus signature verdict and pull problems. */
export interface InspectReport {
  kind: string;
  digest: string;
  mediaType: string;
  name?: string;
  tag?: string;
  created?: string;
  architecture?: string;
  os?: string;
  dockerVersion?: string;
  labels?: Record<string, unknown>;
  /** Base first, as skopeo lists them. */
  layers: string[];
  config?: string;
  signature?: SignatureVerdict;
  problems?: PullProblem[];
  platforms?: { digest: string; mediaType: string; size: number; platform?: Platform }[];
  legacyChild?: string | null;
}

/** Throws MalformedManifestError for bytes that are not a manifest. */
export async function inspectManifest(bytes: Uint8Array): Promise<InspectReport> {
  const manifest = parseManifest(bytes);
  switch (manifest.kind) {
    case "schema1": {
      const leaf = manifest.layers[0]?.v1;
      const text = (key: string) => stringOf(leaf?.get(key));
      const config = leaf?.get("config");
      const labels = isJsonObject(config) ? config.get("Labels") : undefined;
      return {
        kind: manifest.kind,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        name: manifest.name,
        tag: manifest.tag,
        ...optional("created", text("created")),
        ...optional("architecture", manifest.architecture ?? text("architecture")),
        ...optional("os", text("os")),
        ...optional("dockerVersion", text("docker_version")),
        ...(isJsonObject(labels) ? { labels: toPlain(labels) as Record<string, unknown> } : {}),
        layers: manifest.layers.map((l) => l.blobSum).reverse(),
        signature: await verifySchema1Signatures(manifest),
        problems: pullCheck(manifest),
      };
    }
    case "schema2":
    case "oci-manifest":
      return {
        kind: manifest.kind,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        layers: manifest.layers.map((l) => l.digest),
        config: manifest.config.digest,
      };
    case "manifest-list":
    case "oci-index":
      return {
        kind: manifest.kind,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        layers: [],
        platforms: manifest.manifests.map((m) => ({ ...m })),
        legacyChild: chooseLegacyChild(manifest)?.descriptor.digest ?? null,
      };
  }
}

/** The human form: one `Key: value` per line, like skopeo's. */
export function formatInspectReport(report: InspectReport): string {
  const rows: [string, string][] = [];
  const add = (key: string, value: string | undefined) => value !== undefined && rows.push([key, value]);
  add("Kind", report.kind);
  add("Name", report.name);
  add("Tag", report.tag);
  add("Digest", report.digest);
  add("MediaType", report.mediaType);
  add("Created", report.created);
  add("DockerVersion", report.dockerVersion);
  add("Architecture", report.architecture);
  add("Os", report.os);
  add("Config", report.config);
  if (report.labels) add("Labels", JSON.stringify(report.labels));
  report.layers.forEach((layer, i) => add(i === 0 ? "Layers" : "", layer));
  if (report.signature) {
    const detail = report.signature.signatures.map(
      (s) => `${s.alg} ${s.kid ?? "(no kid)"}: ${s.valid ? "ok" : s.reason}`,
    );
    add("Signature", [report.signature.status, ...detail].join("; "));
  }
  for (const [i, p] of (report.platforms ?? []).entries()) {
    const platform = p.platform
      ? `${p.platform.os}/${p.platform.architecture}${p.platform.variant ? `/${p.platform.variant}` : ""}`
      : "(none)";
    add(
      i === 0 ? "Platforms" : "",
      `${platform} ${p.digest}${p.digest === report.legacyChild ? " (v1 child)" : ""}`,
    );
  }
  if (report.platforms) add("LegacyChild", report.legacyChild ?? "none (no amd64/linux child)");
  if (report.problems) {
    if (report.problems.length === 0) add("Pullable", "yes");
    report.problems.forEach((p, i) =>
      add(
        i === 0 ? "Problems" : "",
        `${p.code}${p.layer === undefined ? "" : ` (layer ${p.layer})`}: ${p.message}`,
      ),
    );
  }
  const width = Math.max(...rows.map(([key]) => key.length)) + 2;
  return rows.map(([key, value]) => (key ? `${key}:` : "").padEnd(width) + value).join("\n") + "\n";
}

function stringOf(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
