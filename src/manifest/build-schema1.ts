import type { LayerCache } from "./layer-cache.js";
import { MANIFEST_LAYOUT, pythonJsonDumps, quotePythonString } from "./python-json-writer.js";

/** One fsLayers/history pair of a schema1 manifest. */
export interface Schema1Layer {
  blobSum: string;
  /** The v1 image JSON exactly as stored; embedded as a JSON string, never re-parsed. */
  v1Compatibility: string;
}

export interface Schema1Parts {
  name: string;
  tag: string;
  architecture?: string;
  /** Leaf first, root last, as schema1 orders them. */
  layers: readonly Schema1Layer[];
}

/**
 * The unsigned manifest bytes, identical to Quay's `DockerSchema1ManifestBuilder.build()`: key order
 * `tag, name, architecture, schemaVersion, history, fsLayers`, printed as Python 3 `json.dumps(indent=3)`.
 * The layout is fixed, so it is written directly rather than through the generic writer (a quarter of
 * the per-tag cost besides the signature); `buildSchema1Generic` is the reference the tests compare with.
 * A `cache` escapes each stored layer text and checksum once per batch (most of the writing is escaping).
 */
export function buildSchema1(parts: Schema1Parts, cache?: LayerCache): string {
  const head =
    `{\n   "tag": ${quotePythonString(parts.tag)},\n   "name": ${quotePythonString(parts.name)},` +
    `\n   "architecture": ${quotePythonString(parts.architecture ?? "amd64")},\n   "schemaVersion": 1,`;
  if (parts.layers.length === 0) return `${head}\n   "history": [],\n   "fsLayers": []\n}`;
  const quote = (text: string) => (cache ? cache.quote(text) : quotePythonString(text));
  const history = parts.layers.map(
    (l) => `{\n         "v1Compatibility": ${quote(l.v1Compatibility)}\n      }`,
  );
  const quoteBlobSum = (blobSum: string) =>
    cache ? cache.quoteBlobSum(blobSum) : quotePythonString(blobSum);
  const fsLayers = parts.layers.map((l) => `{\n         "blobSum": ${quoteBlobSum(l.blobSum)}\n      }`);
  return (
    `${head}\n   "history": [\n      ${history.join(",\n      ")}\n   ],` +
    `\n   "fsLayers": [\n      ${fsLayers.join(",\n      ")}\n   ]\n}`
  );
}

/** The same bytes through the generic Python-compatible writer. */
export function buildSchema1Generic(parts: Schema1Parts): string {
  return pythonJsonDumps(
    {
      tag: parts.tag,
      name: parts.name,
      architecture: parts.architecture ?? "amd64",
      schemaVersion: 1,
      history: parts.layers.map((layer) => ({ v1Compatibility: layer.v1Compatibility })),
      fsLayers: parts.layers.map((layer) => ({ blobSum: layer.blobSum })),
    },
    MANIFEST_LAYOUT,
  );
}

/** The manifest `name`: `namespace/repository`, or the repository alone in the library namespace. */
export function schema1Name(namespace: string, repository: string, libraryNamespace = ""): string {
  return namespace === "" || namespace === libraryNamespace ? repository : `${namespace}/${repository}`;
}
