import { isJsonObject, PyInt, type JsonObject, type JsonValue } from "./json-value.js";
import type { LayerCache } from "./layer-cache.js";
import { isLibtrustKeyId, libtrustKeyIdOfJwk } from "./libtrust-key-id.js";
import { JsonSyntaxError } from "./python-json-parser.js";
import { isRfc3339 } from "./rfc3339.js";
import { isValidV1Id } from "./v1-id-rules.js";
import { parseV1Summary } from "./v1-summary.js";

/** Something a Docker, skopeo or podman pull would refuse. `layer` indexes fsLayers (leaf first). */
export interface PullProblem {
  code: string;
  message: string;
  layer?: number;
}

export interface PullCheckInput {
  schemaVersion: JsonValue | undefined;
  signatures: readonly { jwk: Record<string, unknown> }[];
  /** Leaf first; `v1` may carry the parsed form of `v1Compatibility` to save a parse. */
  layers: readonly { blobSum: string; v1Compatibility: string; v1?: JsonValue }[];
  /** What libtrust refuses in the signed form, found by the parser (conflicting formats, unsigned fields). */
  signedFormProblems?: readonly { code: string; message: string }[];
}

/** What the pull check finds in one layer's metadata alone: a function of its text. */
export interface LayerVerdict {
  /** "" where absent or not a string, as the chain rule reads them. */
  id: string;
  parent: string;
  problems: readonly { code: string; message: string }[];
}

const BLOB_SUM = /^sha256:[a-f0-9]{64}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * docs/signature-and-pull-rules.md: every reason a client would refuse to pull this schema1 manifest, in
 * manifest order. An empty list means Docker, skopeo and podman accept it. `requireSignature: false` skips
 * the signed-form rule (for checking a payload before it is signed); `cache` checks each distinct layer text
 * once per batch.
 */
export function pullCheck(
  manifest: PullCheckInput,
  options: { requireSignature?: boolean; cache?: LayerCache } = {},
): PullProblem[] {
  const problems: PullProblem[] = [];
  const add = (code: string, message: string, layer?: number) =>
    problems.push(layer === undefined ? { code, message } : { code, message, layer });

  if (manifest.signatures.length === 0 && options.requireSignature !== false) {
    add("unsigned", "Docker pulls schema1 only in the signed (prettyjws) form");
  }
  for (const { jwk } of manifest.signatures) checkKeyId(jwk, add);
  for (const { code, message } of manifest.signedFormProblems ?? []) add(code, message);
  if (!(manifest.schemaVersion instanceof PyInt && manifest.schemaVersion.text === "1")) {
    add("schema_version", "schemaVersion must be 1");
  }
  if (manifest.layers.length === 0) add("no_layers", "a schema1 manifest needs at least one layer");

  const cache = options.cache;
  const images: LayerVerdict[] = [];
  manifest.layers.forEach((layer, index) => {
    if (!BLOB_SUM.test(layer.blobSum)) add("invalid_blob_sum", "blobSum must be sha256:<64 hex>", index);
    const compute = () => verdictOf(layer.v1 ?? parseOrUndefined(layer.v1Compatibility));
    const verdict = cache ? cache.verdict(layer.v1Compatibility, compute) : compute();
    for (const problem of verdict.problems) add(problem.code, problem.message, index);
    images.push(verdict);
  });
  checkChain(images, add);
  return problems;
}

/** libtrust reads `kid` as optional, but when present it must be the fingerprint of the JWK itself. */
function checkKeyId(jwk: Record<string, unknown>, add: (code: string, message: string) => void): void {
  if (jwk.kid === undefined) return;
  if (!(typeof jwk.kid === "string" && isLibtrustKeyId(jwk.kid))) {
    add("invalid_kid", "signature key id is not in libtrust format");
    return;
  }
  const fingerprint = libtrustKeyIdOfJwk(jwk);
  if (fingerprint === undefined) {
    add("invalid_jwk", "signature JWK is not an RSA or EC (P-256/384/521) public key libtrust can read");
  } else if (fingerprint !== jwk.kid) {
    add(
      "kid_mismatch",
      "signature key id is not the libtrust fingerprint of its JWK (Key ID does not match)",
    );
  }
}

function verdictOf(v1: JsonValue | undefined): LayerVerdict {
  if (!isJsonObject(v1)) {
    return {
      id: "",
      parent: "",
      problems: [{ code: "v1_not_object", message: "v1Compatibility must be a JSON object" }],
    };
  }
  const problems: { code: string; message: string }[] = [];
  checkV1(v1, (code, message) => problems.push({ code, message }));
  const id = v1.get("id");
  const parent = v1.get("parent");
  return { id: typeof id === "string" ? id : "", parent: typeof parent === "string" ? parent : "", problems };
}

function checkV1(v1: JsonObject, add: (code: string, message: string) => void): void {
  const id = v1.get("id");
  if (typeof id !== "string" || !isValidV1Id(id))
    add("invalid_id", "v1 id must be 64 lower-case hex characters");
  const parent = v1.get("parent");
  if (parent !== undefined && parent !== null && typeof parent !== "string")
    add("invalid_parent", "parent must be a string");
  const created = v1.get("created");
  if (created !== undefined && created !== null && !(typeof created === "string" && isRfc3339(created))) {
    add("invalid_created", "created must be an RFC 3339 time");
  }
  const size = v1.get("Size");
  if (size !== undefined && size !== null && !(size instanceof PyInt && fitsInt64(size.text))) {
    add("invalid_size", "Size must be an integer that fits in int64");
  }
  const config = v1.get("container_config");
  if (config !== undefined && config !== null && !isJsonObject(config)) {
    add("invalid_container_config", "container_config must be an object");
  }
  const cmd = isJsonObject(config) ? config.get("Cmd") : undefined;
  if (cmd !== undefined && cmd !== null && !(Array.isArray(cmd) && cmd.every((c) => typeof c === "string"))) {
    add("invalid_cmd", "container_config.Cmd must be a list of strings (skopeo refuses a string)");
  }
}

/**
 * Docker's fixManifestLayers: the root has no parent; adjacent repeats of an id collapse; then every
 * layer's parent is the next layer's id, and no id appears twice.
 */
function checkChain(
  images: readonly { id: string; parent: string }[],
  add: (code: string, message: string, layer?: number) => void,
) {
  const root = images.length - 1;
  if (root >= 0 && images[root]?.parent !== "")
    add("root_has_parent", "the root (last) layer must have no parent", root);
  const seen = new Map<string, number>();
  for (let i = 0; i < images.length; i++) {
    const current = images[i] as { id: string; parent: string };
    const next = images[i + 1];
    if (next && next.id === current.id) continue;
    if (next && current.parent !== next.id) add("broken_chain", "parent must be the next layer's id", i);
    if (current.id !== "" && seen.has(current.id))
      add("duplicate_id", "an id may repeat only on adjacent layers", i);
    seen.set(current.id, i);
  }
}

function fitsInt64(text: string): boolean {
  // Up to 18 digits always fits; only longer ones need the exact comparison.
  if (text.length <= 18) return true;
  const value = BigInt(text);
  return value >= INT64_MIN && value <= INT64_MAX;
}

function parseOrUndefined(text: string): JsonValue | undefined {
  try {
    return parseV1Summary(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return undefined;
    throw err;
  }
}
