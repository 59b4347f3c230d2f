import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { MalformedManifestError } from "./errors.js";
import { toPlain, type JsonValue } from "./json-value.js";

// Structural rules only; semantics (digests, layer counts, v1 JSON) are checked by the parsers so that
// each gets its own reason code.
const descriptor = {
  type: "object",
  required: ["mediaType", "size", "digest"],
  properties: {
    mediaType: { type: "string" },
    size: { type: "integer", minimum: 0 },
    digest: { type: "string", pattern: "^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$" },
    urls: { type: "array", items: { type: "string" } },
  },
};

const platform = {
  type: "object",
  required: ["architecture", "os"],
  properties: {
    architecture: { type: "string" },
    os: { type: "string" },
    "os.version": { type: "string" },
    "os.features": { type: "array", items: { type: "string" } },
    variant: { type: "string" },
    features: { type: "array", items: { type: "string" } },
  },
};

/** Quay's DockerSchema1Manifest.METASCHEMA, plus a non-empty signature list (Quay crashes on `[]`). */
const schema1 = {
  type: "object",
  required: ["tag", "name", "fsLayers", "history"],
  properties: {
    tag: { type: "string" },
    name: { type: "string" },
    architecture: { type: "string" },
    signatures: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["protected", "header", "signature"],
        properties: {
          protected: { type: "string" },
          header: {
            type: "object",
            required: ["alg", "jwk"],
            properties: { alg: { type: "string" }, jwk: { type: "object" } },
          },
          signature: { type: "string" },
        },
      },
    },
    history: {
      type: "array",
      items: {
        type: "object",
        required: ["v1Compatibility"],
        properties: { v1Compatibility: { type: "string" } },
      },
    },
    fsLayers: {
      type: "array",
      items: { type: "object", required: ["blobSum"], properties: { blobSum: { type: "string" } } },
    },
  },
};

const imageManifest = {
  type: "object",
  required: ["schemaVersion", "config", "layers"],
  properties: {
    schemaVersion: { const: 2 },
    mediaType: { type: "string" },
    config: descriptor,
    layers: { type: "array", items: descriptor },
  },
};

const dockerList = {
  type: "object",
  required: ["schemaVersion", "manifests"],
  properties: {
    schemaVersion: { const: 2 },
    mediaType: { type: "string" },
    manifests: {
      type: "array",
      items: {
        ...descriptor,
        required: [...descriptor.required, "platform"],
        properties: { ...descriptor.properties, platform },
      },
    },
  },
};

/** OCI makes `platform` optional on index entries. */
const ociIndex = {
  ...dockerList,
  properties: {
    ...dockerList.properties,
    manifests: {
      type: "array",
      items: { ...descriptor, properties: { ...descriptor.properties, platform } },
    },
  },
};

const ajv = new Ajv({ allErrors: false, strict: true });
const VALIDATORS = {
  schema1: ajv.compile(schema1),
  imageManifest: ajv.compile(imageManifest),
  dockerList: ajv.compile(dockerList),
  ociIndex: ajv.compile(ociIndex),
} satisfies Record<string, ValidateFunction>;

export type ManifestShape = keyof typeof VALIDATORS;

/** Validates a parsed document against one shape; throws MalformedManifestError naming the field. */
export function validateShape(shape: ManifestShape, document: JsonValue): void {
  const validate = VALIDATORS[shape];
  if (validate(toPlain(document))) return;
  const error = validate.errors?.[0];
  const field = error ? fieldOf(error) : "";
  const code = field.startsWith("/signatures") ? "invalid_signatures" : "schema_violation";
  throw new MalformedManifestError(code, field, `${field || "manifest"} ${error?.message ?? "is invalid"}`);
}

function fieldOf(error: ErrorObject): string {
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  return typeof missing === "string" ? `${error.instancePath}/${missing}` : error.instancePath;
}
