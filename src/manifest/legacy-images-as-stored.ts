import type { Schema1Layer } from "./build-schema1.js";
import { isJsonObject, type JsonValue } from "./json-value.js";
import type { LayerCache } from "./layer-cache.js";
import { JsonSyntaxError } from "./python-json-parser.js";
import type { LegacyImage } from "./rewrite-image-ids.js";
import { parseV1Summary } from "./v1-summary.js";

/**
 * The chain as stored, for callers that do not rewrite ids: best effort, never a throw, because the
 * manifest is still built (as Quay built it) and the pull check reports what is wrong. `layers` base first;
 * the parsed metadata comes along (null where it does not parse) so the pull check need not parse again.
 * With a `cache` each distinct text is parsed once per batch and its value shared: read, never mutate it.
 */
export function legacyImagesAsStored(
  layers: readonly Schema1Layer[],
  cache?: LayerCache,
): {
  images: LegacyImage[];
  v1: JsonValue[];
} {
  const parsed: JsonValue[] = [];
  const images = layers.map((layer) => {
    const v1 = parseOrNull(layer.v1Compatibility, cache);
    parsed.push(v1);
    const id = isJsonObject(v1) ? v1.get("id") : undefined;
    const parent = isJsonObject(v1) ? v1.get("parent") : undefined;
    return {
      id: typeof id === "string" ? id : "",
      parent: typeof parent === "string" && parent !== "" ? parent : null,
      v1Compatibility: layer.v1Compatibility,
      blobSum: layer.blobSum,
      rewritten: false,
      originalId: typeof id === "string" ? id : null,
    };
  });
  return { images, v1: parsed };
}

function parseOrNull(text: string, cache: LayerCache | undefined): JsonValue {
  try {
    return cache ? cache.summary(text) : parseV1Summary(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return null;
    throw err;
  }
}
