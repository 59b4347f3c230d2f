import { createHash, type Hash } from "node:crypto";
import type { Schema1Layer } from "./build-schema1.js";
import { MalformedManifestError } from "./errors.js";
import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
import type { LayerCache } from "./layer-cache.js";
import { JsonSyntaxError, parsePythonJson } from "./python-json-parser.js";
import { CANONICAL_LAYOUT, pythonJsonDumps } from "./python-json-writer.js";
import { collidesWithRepositoryImage, isValidV1Id } from "./v1-id-rules.js";
import { parseV1Summary } from "./v1-summary.js";

/** One v1 image after the rewrite, base first. */
export interface LegacyImage {
  id: string;
  parent: string | null;
  /** The stored JSON when the id was kept; canonical JSON with ids mapped when rewritten. */
  v1Compatibility: string;
  blobSum: string;
  rewritten: boolean;
  /** The id as the stored metadata wrote it (null when it was not a string). */
  originalId: string | null;
}

/**
 * docs/domain-rules.md, v1 id rewrite: gives every layer whose v1 id is invalid, and every layer after it, a
 * new id from a running SHA-256 over `blobSum@rawJson|` of the layers so far (Quay's digest-history hash), so
 * a rerun yields the same ids. Invalid is Quay's rule (the repository holds that id over a different blob)
 * plus ours: not 64 lower-case hex, a non-adjacent repeat, or a broken chain link. Rewritten layers are
 * re-serialised as canonical JSON with `id`, `parent` and `container_config.Image` mapped (Quay wrote a new
 * lower-case `image` key instead; that bug is not reproduced). `layers` are base first; metadata that does
 * not parse, is not an object or has no id is refused as Quay refuses it.
 */
export function rewriteImageIds(
  layers: readonly Schema1Layer[],
  existingImages: ReadonlyMap<string, string> = new Map(),
): LegacyImage[] {
  return rewriteChain(layers, existingImages).images;
}

/**
 * rewriteImageIds, also giving each layer's metadata as the pull check needs it (a parseV1Summary for a
 * kept layer, the full rewritten object for a rewritten one), so nobody parses twice. With a `cache`
 * each distinct stored text is summarised once per batch and the summary shared between tags: it is only
 * read (a rewritten layer mutates its own full parse).
 */
export function rewriteChain(
  layers: readonly Schema1Layer[],
  existingImages: ReadonlyMap<string, string> = new Map(),
  cache?: LayerCache,
): { images: LegacyImage[]; v1: JsonObject[] } {
  // Made and fed lazily: most chains are never rewritten, and hashing every layer would cost as much as
  // parsing (making the hash alone cost a few percent of a cached tag).
  let history: Hash | undefined;
  let fed = 0;
  const hashThrough = (index: number) => {
    history ??= createHash("sha256");
    for (; fed <= index; fed++) {
      const layer = layers[fed] as Schema1Layer;
      history.update(`${layer.blobSum}@${layer.v1Compatibility}|`, "utf8");
    }
    return history.copy().digest("hex");
  };
  const parsed: JsonObject[] = [];
  const idMap = new Map<string, string>();
  const seen = new Set<string>();
  const out: LegacyImage[] = [];
  let rewriting = false;
  let previous: { originalId: string | null; parent: string | null } | undefined;

  layers.forEach((layer, index) => {
    const v1 = readV1(layer.v1Compatibility, layers.length - 1 - index, cache);
    const rawId = v1.get("id");
    const originalId = typeof rawId === "string" ? rawId : null;
    const parent = parentOf(v1.get("parent"));

    const adjacentRepeat = originalId !== null && originalId === previous?.originalId;
    const expectedParent = adjacentRepeat ? previous?.parent : previous?.originalId;
    const invalid =
      originalId === null ||
      !isValidV1Id(originalId) ||
      collidesWithRepositoryImage(existingImages, originalId, layer.blobSum) ||
      (seen.has(originalId) && !adjacentRepeat) ||
      parent !== (expectedParent ?? null);
    if (invalid) rewriting = true;

    const key = originalId ?? pythonJsonDumps(rawId ?? null);
    const id = rewriting ? hashThrough(index) : (originalId as string);
    idMap.set(key, id);
    if (originalId !== null) seen.add(originalId);
    previous = { originalId, parent };

    if (!rewriting) {
      parsed.push(v1);
      out.push({
        id,
        parent,
        v1Compatibility: layer.v1Compatibility,
        blobSum: layer.blobSum,
        rewritten: false,
        originalId,
      });
      return;
    }
    // The summary kept only some keys; the rewritten JSON needs all of them.
    const full = parsePythonJson(layer.v1Compatibility) as JsonObject;
    parsed.push(full);
    // The new chain links to the previous layer as it is now, whatever the stored `parent` said.
    const newParent = out.at(-1)?.id ?? null;
    full.set("id", id);
    if (newParent !== null) full.set("parent", newParent);
    else if (parent !== null) full.delete("parent");
    mapContainerImage(full, idMap);
    out.push({
      id,
      parent: newParent,
      v1Compatibility: pythonJsonDumps(full, CANONICAL_LAYOUT),
      blobSum: layer.blobSum,
      rewritten: true,
      originalId,
    });
  });
  return { images: out, v1: parsed };
}

/** Docker reads `parent` as an omitempty string: absent, null and "" all mean none. */
function parentOf(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null || value === "") return null;
  return typeof value === "string" ? value : pythonJsonDumps(value);
}

function mapContainerImage(v1: JsonObject, idMap: ReadonlyMap<string, string>): void {
  const config = v1.get("container_config");
  if (!isJsonObject(config)) return;
  const image = config.get("Image");
  const mapped = typeof image === "string" ? idMap.get(image) : undefined;
  if (mapped !== undefined) config.set("Image", mapped);
}

function readV1(text: string, leafFirstIndex: number, cache: LayerCache | undefined): JsonObject {
  const field = `/history/${leafFirstIndex}/v1Compatibility`;
  let value: JsonValue;
  try {
    value = cache ? cache.summary(text) : parseV1Summary(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new MalformedManifestError("invalid_v1_json", field, `v1 metadata is not JSON: ${err.message}`);
  }
  if (!isJsonObject(value))
    throw new MalformedManifestError("v1_not_object", field, "v1 metadata is not an object");
  if (!value.has("id")) throw new MalformedManifestError("v1_missing_id", field, "v1 metadata has no id");
  return value;
}
