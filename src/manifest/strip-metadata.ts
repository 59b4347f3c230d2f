import type { Schema1Layer } from "./build-schema1.js";
import { MalformedManifestError } from "./errors.js";
import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
import { JsonSyntaxError, parsePythonJson } from "./python-json-parser.js";
import { pythonJsonDumps } from "./python-json-writer.js";

const KEPT_KEYS = ["parent", "created", "author", "comment", "Size"] as const;

/**
 * Quay's `with_metadata_removed`: every layer but the leaf keeps only `id, parent, created, author,
 * comment, Size` and `container_config.Cmd`, and every layer (the leaf too) is re-serialised with Python's
 * default `json.dumps`. Refuses, as Quay does, metadata that does not parse or a non-leaf layer without
 * `id`. Where Quay crashes on a `container_config` that is not an object, this drops it instead.
 * `layers` are leaf first.
 */
export function stripMetadata(layers: readonly Schema1Layer[]): Schema1Layer[] {
  return layers.map((layer, index) => {
    const field = `/history/${index}/v1Compatibility`;
    const metadata = parseMetadata(layer.v1Compatibility, field);
    if (index === 0) return { blobSum: layer.blobSum, v1Compatibility: pythonJsonDumps(metadata) };
    if (!isJsonObject(metadata)) {
      throw new MalformedManifestError("v1_not_object", field, "v1 metadata is not a JSON object");
    }
    const id = metadata.get("id");
    if (id === undefined) throw new MalformedManifestError("v1_missing_id", field, "v1 metadata has no id");
    const fixed: JsonObject = new Map([["id", id]]);
    for (const key of KEPT_KEYS) {
      const value = metadata.get(key);
      if (value !== undefined) fixed.set(key, value);
    }
    const containerConfig = metadata.get("container_config");
    const cmd = isJsonObject(containerConfig) ? containerConfig.get("Cmd") : undefined;
    if (cmd !== undefined) fixed.set("container_config", new Map([["Cmd", cmd]]));
    return { blobSum: layer.blobSum, v1Compatibility: pythonJsonDumps(fixed) };
  });
}

function parseMetadata(text: string, field: string): JsonValue {
  try {
    return parsePythonJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new MalformedManifestError("invalid_v1_json", field, `v1 metadata is not JSON: ${err.message}`);
    }
    throw err;
  }
}
