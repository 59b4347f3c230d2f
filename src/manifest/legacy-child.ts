import type { Descriptor } from "./descriptor.js";
import { bytesMatchDigest, toBytes } from "./digest.js";
import { MalformedManifestError } from "./errors.js";
import type { ParsedImageIndex } from "./parse-image-index.js";
import { parseManifest, type ParsedManifest } from "./parse-manifest.js";

/** The child a v1 client gets: the first `amd64`/`linux` entry, as Quay chooses it. */
export function chooseLegacyChild(
  list: ParsedImageIndex,
): { index: number; descriptor: Descriptor } | undefined {
  const index = list.manifests.findIndex(
    (m) => m.platform?.architecture === "amd64" && m.platform.os === "linux",
  );
  const descriptor = list.manifests[index];
  return descriptor === undefined ? undefined : { index, descriptor };
}

/**
 * Parses the chosen child from bytes the caller fetched (by digest). Bytes whose length or digest do not
 * match the descriptor are not trusted: `child_mismatch`. Returns undefined when no child is amd64/linux
 * or the caller has no bytes for it.
 */
export function resolveLegacyChild(
  list: ParsedImageIndex,
  fetchChild: (digest: string) => string | Uint8Array | undefined,
): { descriptor: Descriptor; manifest: ParsedManifest } | undefined {
  const chosen = chooseLegacyChild(list);
  if (!chosen) return undefined;
  const raw = fetchChild(chosen.descriptor.digest);
  if (raw === undefined) return undefined;
  const bytes = toBytes(raw);
  const field = `/manifests/${chosen.index}`;
  if (bytes.length !== chosen.descriptor.size) {
    throw new MalformedManifestError(
      "child_mismatch",
      `${field}/size`,
      `child has ${bytes.length} bytes, the list says ${chosen.descriptor.size}`,
    );
  }
  if (!bytesMatchDigest(bytes, chosen.descriptor.digest)) {
    throw new MalformedManifestError(
      "child_mismatch",
      `${field}/digest`,
      "child bytes do not match the list's digest",
    );
  }
  return { descriptor: chosen.descriptor, manifest: parseManifest(bytes, chosen.descriptor.mediaType) };
}
