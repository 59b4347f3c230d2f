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
  return schema1Pieces(parts, cache).join("");
}

/**
 * buildSchema1's text as latin1 (it is ASCII: ensure_ascii) bytes, written piece by piece: no manifest-sized
 * string is made, where joining and then encoding made two per tag, which went straight to garbage.
 */
export function buildSchema1Ascii(parts: Schema1Parts, cache?: LayerCache): Buffer {
  const pieces = schema1Pieces(parts, cache);
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const bytes = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const piece of pieces) offset += bytes.write(piece, offset, "latin1");
  return bytes;
}

/** The manifest's text in order: the head, then the cached escapes of each layer between fixed separators. */
function schema1Pieces(parts: Schema1Parts, cache: LayerCache | undefined): string[] {
  const head =
    `{\n   "tag": ${quotePythonString(parts.tag)},\n   "name": ${quotePythonString(parts.name)},` +
    `\n   "architecture": ${quotePythonString(parts.architecture ?? "amd64")},\n   "schemaVersion": 1,`;
  if (parts.layers.length === 0) return [head, `\n   "history": [],\n   "fsLayers": []\n}`];
  const pieces = [head, `\n   "history": [\n      `];
  parts.layers.forEach((l, i) => {
    if (i > 0) pieces.push(`,\n      `);
    const quoted = cache ? cache.quote(l.v1Compatibility) : quotePythonString(l.v1Compatibility);
    pieces.push(`{\n         "v1Compatibility": `, quoted, `\n      }`);
  });
  pieces.push(`\n   ],\n   "fsLayers": [\n      `);
  parts.layers.forEach((l, i) => {
    if (i > 0) pieces.push(`,\n      `);
    const quoted = cache ? cache.quoteBlobSum(l.blobSum) : quotePythonString(l.blobSum);
    pieces.push(`{\n         "blobSum": `, quoted, `\n      }`);
  });
  pieces.push(`\n   ]\n}`);
  return pieces;
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
