import { generatedPullProblem } from "../backfill/pull-rule.js";
import { MEDIA_TYPES } from "../manifest/media-types.js";
import { checkManifestBlobs } from "./check-manifest-blobs.js";
import { checkStoredBytes } from "./check-stored-bytes.js";
import { tagFieldDifferences } from "./check-tag-fields.js";
import type { ManifestFacts } from "./inspect-manifest.js";
import type { ChainStorage, ManifestBlob, MappedTag } from "./mapped-tag.js";
import type { Problem } from "./problem-collector.js";
import type { ProblemCode } from "./problem-classes.js";

/** What a tag's check needs beyond its own rows, loaded per chunk and shared between tags. */
export interface TagCheckInputs {
  /** The mapped manifest's bytes and facts; undefined when there is no manifest. */
  manifestBytes: string | undefined;
  manifestFacts: ManifestFacts | undefined;
  /** Facts of the tag's own `tagmanifest.json_data`, loaded only when it differs from the manifest's bytes. */
  storedFacts?: ManifestFacts | undefined;
  blobs: readonly ManifestBlob[];
  chain: readonly ChainStorage[];
  /** Key id of the operator's signing key, when known: tells our manifests from Quay's. */
  ourKeyId: string | undefined;
}

/**
 * Checks one mapped tag against docs/domain-rules.md, independently of how the batch core planned it. Pure;
 * every problem found is returned (a tag can have several).
 */
export function checkMappedTag(mapped: MappedTag, inputs: TagCheckInputs): Problem[] {
  const problems: Problem[] = [];
  const add = (code: ProblemCode, detail: string): void => {
    problems.push({ code, repositoryTagId: mapped.repositoryTagId, tag: mapped.display, detail });
  };
  const { tag, tagManifest, mapping, manifest } = mapped;

  if (tag === null) add("tag_missing", "tagtorepositorytag.tag_id points at no tag");
  const differences = tagFieldDifferences(mapped);
  if (differences.length > 0) add("tag_mismatch", differences.join("; "));

  if (tagManifest === null) {
    add("tagmanifest_missing", "no tagmanifest row for this repositorytag");
    return problems;
  }
  if (mapping === null || manifest === null) {
    add("mapping_missing", `tagmanifest ${tagManifest.id} has no tagmanifesttomanifest row with a manifest`);
    return problems;
  }
  if (tag !== null && tag.manifestId !== manifest.id) {
    add(
      "tag_manifest_mismatch",
      `tag ${tag.id} has manifest_id ${tag.manifestId ?? "null"}, mapped manifest is ${manifest.id}`,
    );
  }
  if (manifest.repositoryId !== mapped.legacy.repositoryId) {
    add(
      "manifest_repository_mismatch",
      `manifest ${manifest.id} is in repository ${manifest.repositoryId}, tag in ${mapped.legacy.repositoryId}`,
    );
  }
  const placeholder =
    manifest.digest.startsWith("BROKEN-") || (mapping.broken && inputs.manifestBytes === "{}");
  for (const finding of checkStoredBytes(mapped, placeholder, inputs.storedFacts, inputs.manifestFacts)) {
    add(finding.code, finding.detail);
  }
  if (placeholder) {
    const wrong = placeholderDifferences(mapped, inputs);
    if (wrong.length > 0) add("placeholder_invalid", wrong.join("; "));
    return problems;
  }

  const facts = inputs.manifestFacts;
  if (facts === undefined) return problems;
  if (!facts.readable) {
    add("manifest_unparseable", `manifest ${manifest.id}: ${facts.error}`);
    return problems;
  }
  if (facts.digest !== manifest.digest) {
    add("manifest_digest_mismatch", `stored ${manifest.digest}, bytes hash to ${facts.digest}`);
  }
  if (manifest.mediaType !== facts.mediaType) {
    add("media_type_mismatch", `stored ${manifest.mediaType ?? "unknown"}, the bytes are ${facts.mediaType}`);
  }
  if (facts.signatures.status === "invalid") {
    const reasons = facts.signatures.signatures
      .map((s, i) =>
        s.valid
          ? undefined
          : `signature ${i} (${s.alg}${s.kid ? ` ${s.kid}` : ""}): ${s.reason ?? "invalid"}`,
      )
      .filter((s) => s !== undefined);
    add("signature_invalid", reasons.join("; "));
  }
  if (!mapping.broken) {
    for (const finding of checkManifestBlobs(manifest, facts.blobDigests, inputs.blobs, inputs.chain)) {
      add(finding.code, finding.detail);
    }
  }
  checkLegacyImage(mapped, facts, mapping.broken, add);
  if (facts.kind === "schema1" && facts.pullFailures.length > 0) {
    const detail = facts.pullFailures.join("; ");
    // Each failure reads `code (layer n)`.
    const codes = facts.pullFailures.map((failure) => failure.split(" ")[0] ?? failure);
    if (!isGenerated(mapped, facts, inputs.ourKeyId)) add("stored_not_pullable", detail);
    else add(generatedPullProblem(codes, mapped.outcome?.reason ?? null), detail);
  }
  return problems;
}

function placeholderDifferences(mapped: MappedTag, inputs: TagCheckInputs): string[] {
  const { manifest, mapping } = mapped;
  const wrong: string[] = [];
  const digest = `BROKEN-${mapped.repositoryTagId}`;
  if (manifest?.digest !== digest) wrong.push(`digest ${manifest?.digest ?? "none"}, expected ${digest}`);
  if (inputs.manifestBytes !== "{}")
    wrong.push(`body of ${inputs.manifestBytes?.length ?? 0} characters, expected {}`);
  if (manifest?.mediaType !== MEDIA_TYPES.schema1Signed)
    wrong.push(`media type ${manifest?.mediaType ?? "unknown"}`);
  if (inputs.blobs.length > 0) wrong.push(`${inputs.blobs.length} manifestblob rows, expected none`);
  if (mapping?.broken !== true) wrong.push("tagmanifesttomanifest.broken is false");
  return wrong;
}

/**
 * The legacy image is the chain's leaf: the image whose docker id is the first history entry's id, or, when
 * the chain's ids were rewritten, the digest-history id a rewrite gives the leaf. A broken mapping
 * may lack one; when present it must still be in the repository.
 */
function checkLegacyImage(
  mapped: MappedTag,
  facts: Extract<ManifestFacts, { readable: true }>,
  broken: boolean,
  add: (code: ProblemCode, detail: string) => void,
): void {
  const image = mapped.legacyImage;
  if (image === null) {
    if (!broken)
      add("legacy_image_missing", `manifest ${mapped.manifest?.id ?? "?"} has no manifestlegacyimage`);
    return;
  }
  if (image.repositoryId === null || image.dockerImageId === null) {
    add("legacy_image_mismatch", `image ${image.imageId} does not exist`);
    return;
  }
  if (image.repositoryId !== mapped.legacy.repositoryId) {
    add(
      "legacy_image_mismatch",
      `image ${image.imageId} is in repository ${image.repositoryId}, tag in ${mapped.legacy.repositoryId}`,
    );
    return;
  }
  if (facts.kind !== "schema1" || broken) return;
  if (image.dockerImageId !== facts.leafV1Id && image.dockerImageId !== facts.rewrittenLeafId) {
    add(
      "legacy_image_mismatch",
      `image ${image.imageId} has docker id ${image.dockerImageId}, the manifest's leaf is ${facts.leafV1Id ?? "absent"}`,
    );
  }
}

/**
 * Whether this project generated the manifest, so its pull failures are ours: the run recorded the tag
 * as backfilled and not from a tag manifest the tag already had, the payload is the Quay builder's layout
 * (clients print theirs differently), and it is unsigned or signed by our key (when the key is known;
 * Quay's generated manifests carry Quay's key). A stored manifest is never judged as ours, however
 * generated it looks: clients and Quay wrote builder-layout manifests too.
 */
function isGenerated(
  mapped: MappedTag,
  facts: Extract<ManifestFacts, { readable: true }>,
  ourKeyId: string | undefined,
): boolean {
  const outcome = mapped.outcome;
  if (outcome?.outcome !== "backfilled" || recordedAsStored(outcome) || !facts.builderLayout) return false;
  return facts.firstKid === undefined || ourKeyId === undefined || facts.firstKid === ourKeyId;
}

/**
 * Whether the recorded outcome says the manifest came from the tag's stored tagmanifest and clients would
 * refuse it: the batch core records `stored_not_pullable` for those, `not_pullable` for its own.
 */
export function recordedAsStored(outcome: { reason: string | null }): boolean {
  return outcome.reason === "stored_not_pullable";
}
