import type { ChainStorage, ManifestBlob } from "./mapped-tag.js";

export interface BlobFinding {
  code: "blob_missing" | "blob_unexpected";
  detail: string;
}

/**
 * docs/domain-rules.md re-derived: the manifestblob rows are one per distinct blob digest of the manifest,
 * each a storage with that checksum taken from the tag's image chain, or else a non-uploading storage used by
 * an image of the repository. Which of several equal storages was picked is not checked: a manifest is shared
 * by the tags of a repository, and their chains may hold different copies.
 */
export function checkManifestBlobs(
  manifest: { id: number; repositoryId: number },
  blobDigests: readonly string[],
  blobs: readonly ManifestBlob[],
  chain: readonly ChainStorage[],
): BlobFinding[] {
  const findings: BlobFinding[] = [];
  const expected = new Set(blobDigests);
  const chainIds = new Set(chain.map((storage) => storage.storageId));
  const byChecksum = new Map<string, ManifestBlob[]>();
  for (const blob of blobs) {
    const key = blob.checksum ?? "";
    byChecksum.set(key, [...(byChecksum.get(key) ?? []), blob]);
  }
  for (const digest of expected) {
    if (!byChecksum.has(digest))
      findings.push({ code: "blob_missing", detail: `no manifestblob for ${digest}` });
  }
  for (const [checksum, group] of byChecksum) {
    if (!expected.has(checksum)) {
      for (const blob of group) {
        findings.push({
          code: "blob_unexpected",
          detail: `storage ${blob.blobId} (${blob.checksum ?? "no checksum"}) matches no blob of the manifest`,
        });
      }
      continue;
    }
    if (group.length > 1) {
      findings.push({
        code: "blob_unexpected",
        detail: `${group.length} storages (${group.map((b) => b.blobId).join(", ")}) for ${checksum}`,
      });
    }
    for (const blob of group) {
      const usable = chainIds.has(blob.blobId) || (blob.uploading === false && blob.inRepository);
      if (!usable) {
        findings.push({
          code: "blob_unexpected",
          detail: `storage ${blob.blobId} for ${checksum} is neither in the tag's chain nor a non-uploading storage of the repository`,
        });
      }
      if (blob.repositoryId !== manifest.repositoryId) {
        findings.push({
          code: "blob_unexpected",
          detail: `manifestblob for storage ${blob.blobId} has repository_id ${blob.repositoryId}, manifest has ${manifest.repositoryId}`,
        });
      }
    }
  }
  return findings;
}
