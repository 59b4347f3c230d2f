import { createHash, hash } from "node:crypto";

/** `sha256:<hex>` of the bytes (a string is taken as UTF-8). */
export function sha256Digest(data: string | Uint8Array): string {
  // The one-shot hash makes no Hash object: a third of the digest's cost for a manifest-sized input.
  return "sha256:" + hash("sha256", data, "hex");
}

/** Whether `bytes` hash to `digest` (`sha256:` or `sha512:`); other algorithms never match. */
export function bytesMatchDigest(bytes: Uint8Array, digest: string): boolean {
  const colon = digest.indexOf(":");
  const algorithm = digest.slice(0, colon);
  if (algorithm !== "sha256" && algorithm !== "sha512") return false;
  return createHash(algorithm).update(bytes).digest("hex") === digest.slice(colon + 1);
}

export function toBytes(data: string | Uint8Array): Buffer {
  return typeof data === "string"
    ? Buffer.from(data, "utf8")
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
