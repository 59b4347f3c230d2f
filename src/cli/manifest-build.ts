import { generateSchema1, type GenerateInput } from "../manifest/generate-schema1.js";
import type { Signer } from "../manifest/signer.js";

export interface ManifestBuildOptions {
  stripMetadata: boolean;
  rewriteIds: boolean;
  maxBytes: number;
  libraryNamespace: string;
  signer?: Signer;
  /** Fixed signing time; the clock at each line otherwise. */
  time?: Date;
  now?: () => Date;
}

/** One input line: `{namespace, repository, tag, layers: [{digest, v1Compatibility}] (leaf first), imagesMap?}`. */
interface BuildSpec {
  namespace: string;
  repository: string;
  tag: string;
  layers: { digest: string; v1Compatibility: string | null }[];
  imagesMap?: Record<string, string>;
}

/**
 * `manifest build`: one output line per input line, in order. A bad line or a refused manifest is an
 * `{"error":{code,message}}` line and the stream goes on; only the caller's I/O can end it early.
 */
export async function runManifestBuild(
  lines: AsyncIterable<string>,
  write: (line: string) => Promise<void> | void,
  options: ManifestBuildOptions,
): Promise<{ built: number; failed: number }> {
  const counts = { built: 0, failed: 0 };
  for await (const line of lines) {
    const output = await buildLine(line, options);
    if ("error" in output) counts.failed++;
    else counts.built++;
    await write(JSON.stringify(output) + "\n");
  }
  return counts;
}

type OutputLine = Record<string, unknown> | { error: { code: string; message: string } };

async function buildLine(line: string, options: ManifestBuildOptions): Promise<OutputLine> {
  const spec = readSpec(line);
  if (typeof spec === "string") return errorLine("invalid_input", spec);
  const input: GenerateInput = {
    namespace: spec.namespace,
    repository: spec.repository,
    tag: spec.tag,
    libraryNamespace: options.libraryNamespace,
    layers: spec.layers.map((l) => ({ blobSum: l.digest, v1Compatibility: l.v1Compatibility })),
    existingImages: new Map(Object.entries(spec.imagesMap ?? {})),
    rewriteIds: options.rewriteIds,
    maxBytes: options.maxBytes,
    stripMetadata: options.stripMetadata,
  };
  if (options.signer) {
    input.signer = options.signer;
    input.signingTime = options.time ?? (options.now ?? (() => new Date()))();
  }
  try {
    const result = await generateSchema1(input);
    if (!result.ok) return errorLine(result.reason, result.message);
    return {
      digest: result.digest,
      mediaType: result.mediaType,
      size: result.size,
      manifest: result.bytes,
      stripped: result.stripped,
      legacyImages: result.legacyImages.map((i) => ({
        id: i.id,
        parent: i.parent,
        v1Compatibility: i.v1Compatibility,
        blobSum: i.blobSum,
        rewritten: i.rewritten,
      })),
      problems: result.problems,
    };
  } catch (err) {
    // A bug must not end the stream either; the message is ours (no key material reaches here).
    return errorLine("internal_error", err instanceof Error ? err.message : String(err));
  }
}

function errorLine(code: string, message: string): OutputLine {
  return { error: { code, message } };
}

/** The spec of one line, or why it is not one. */
function readSpec(line: string): BuildSpec | string {
  if (line.trim() === "") return "empty line";
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "line is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "line is not a JSON object";
  const spec = value as Record<string, unknown>;
  for (const key of ["namespace", "repository", "tag"]) {
    if (typeof spec[key] !== "string") return `'${key}' must be a string`;
  }
  if (!Array.isArray(spec.layers)) return "'layers' must be a list (leaf first)";
  for (const [i, layer] of (spec.layers as unknown[]).entries()) {
    const l = layer as Record<string, unknown> | null;
    if (typeof l !== "object" || l === null || typeof l.digest !== "string") {
      return `layers[${i}].digest must be a string`;
    }
    if (
      l.v1Compatibility !== null &&
      l.v1Compatibility !== undefined &&
      typeof l.v1Compatibility !== "string"
    ) {
      return `layers[${i}].v1Compatibility must be a string or null`;
    }
  }
  const map = spec.imagesMap;
  if (map !== undefined && (typeof map !== "object" || map === null || Array.isArray(map))) {
    return "'imagesMap' must be an object of v1 id to checksum";
  }
  if (map && Object.values(map).some((v) => typeof v !== "string"))
    return "'imagesMap' values must be strings";
  const layers = (spec.layers as { digest: string; v1Compatibility?: string | null }[]).map((l) => ({
    digest: l.digest,
    v1Compatibility: l.v1Compatibility ?? null,
  }));
  return { ...(spec as unknown as BuildSpec), layers };
}
