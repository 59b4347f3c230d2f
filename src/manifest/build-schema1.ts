import { MANIFEST_LAYOUT, pythonJsonDumps } from "./python-json-writer.js";

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
 */
export function buildSchema1(parts: Schema1Parts): string {
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
