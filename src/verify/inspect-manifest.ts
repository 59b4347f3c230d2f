import { createHash } from "node:crypto";
import { buildSchema1 } from "../manifest/build-schema1.js";
import { MalformedManifestError } from "../manifest/errors.js";
import { parseManifest, type ParsedManifest } from "../manifest/parse-manifest.js";
import type { ParsedSchema1 } from "../manifest/parse-schema1.js";
import { pullCheck, type PullProblem } from "../manifest/pull-check.js";
import { verifySchema1Signatures, type SignatureVerdict } from "../manifest/verify-schema1.js";

export type ReadableFacts = Extract<ManifestFacts, { readable: true }>;

/** What verify needs to know about one manifest's bytes, taken with the manifest core's own parsers. */
export type ManifestFacts =
  | { readable: false; error: string }
  | {
      readable: true;
      kind: ParsedManifest["kind"];
      digest: string;
      mediaType: string;
      /** The distinct blob digests the manifest references locally (schema1 blobSums; config + layers). */
      blobDigests: string[];
      /** schema1 only: `id` of the first (leaf) history entry, when it is a string. */
      leafV1Id: string | undefined;
      /** schema1 only: the leaf id the v1 id rewrite gives when any id of the chain was rewritten. */
      rewrittenLeafId: string | undefined;
      signatures: SignatureVerdict;
      /** schema1 only: key id of the first signature's JWK. */
      firstKid: string | undefined;
      /** schema1 only: whether the payload is exactly what the Quay builder prints for these parts. */
      builderLayout: boolean;
      /** Reasons the pull check refuses it (schema1 only; empty when it pulls). */
      pullFailures: readonly string[];
    };

export async function inspectManifest(bytes: string | Uint8Array): Promise<ManifestFacts> {
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(bytes);
  } catch (err) {
    if (err instanceof MalformedManifestError) {
      return { readable: false, error: `${err.code}${err.field ? ` at ${err.field}` : ""}: ${err.message}` };
    }
    throw err;
  }
  switch (parsed.kind) {
    case "schema1":
      return {
        readable: true,
        kind: parsed.kind,
        digest: parsed.digest,
        mediaType: parsed.mediaType,
        blobDigests: [...new Set(parsed.layers.map((layer) => layer.blobSum))],
        leafV1Id: stringMember(parsed.layers[0]?.v1.get("id")),
        rewrittenLeafId: digestHistoryLeafId(parsed),
        signatures: await verifySchema1Signatures(parsed),
        firstKid: stringMember(parsed.signatures[0]?.jwk.kid),
        builderLayout: isBuilderLayout(parsed),
        pullFailures: pullCheck(parsed).map(describePullProblem),
      };
    case "schema2":
    case "oci-manifest":
      return {
        ...notSchema1(parsed),
        blobDigests: [
          ...new Set([
            parsed.config.digest,
            ...parsed.layers.filter((l) => !l.urls?.length).map((l) => l.digest),
          ]),
        ],
      };
    case "manifest-list":
    case "oci-index":
      return notSchema1(parsed);
  }
}

function notSchema1(parsed: ParsedManifest): ReadableFacts {
  return {
    readable: true,
    kind: parsed.kind,
    digest: parsed.digest,
    mediaType: parsed.mediaType,
    blobDigests: [],
    leafV1Id: undefined,
    rewrittenLeafId: undefined,
    signatures: { status: "unsigned", signatures: [] },
    firstKid: undefined,
    builderLayout: false,
    pullFailures: [],
  };
}

function describePullProblem(problem: PullProblem): string {
  return `${problem.code}${problem.layer === undefined ? "" : ` (layer ${problem.layer})`}`;
}

function stringMember(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * The v1 id rewrite (docs/domain-rules.md) re-derived: once any id is rewritten, every layer above it is too,
 * and the leaf's new id is the running hash over all layers. So whatever ids were invalid, a rewritten leaf
 * has exactly this id.
 */
export function digestHistoryLeafId(manifest: ParsedSchema1): string {
  const hash = createHash("sha256");
  for (let i = manifest.layers.length - 1; i >= 0; i--) {
    const layer = manifest.layers[i];
    if (layer) hash.update(`${layer.blobSum}@${layer.v1Compatibility}|`, "utf8");
  }
  return hash.digest("hex");
}

/**
 * Whether the signed payload is byte for byte the Quay builder's output for the manifest's own parts: the
 * mark of a generated manifest (Docker clients print `schemaVersion` first and order keys differently).
 */
function isBuilderLayout(manifest: ParsedSchema1): boolean {
  if (manifest.architecture === undefined) return false;
  const rebuilt = buildSchema1({
    name: manifest.name,
    tag: manifest.tag,
    architecture: manifest.architecture,
    layers: manifest.layers.map(({ blobSum, v1Compatibility }) => ({ blobSum, v1Compatibility })),
  });
  return Buffer.from(rebuilt, "utf8").equals(manifest.payload);
}
