/**
 * The v1 id and image chain rules of docs/domain-rules.md that the planner, the manifest core, the pull
 * check and explain all apply: one definition each, pure.
 */

const VALID_V1_ID = /^[a-f0-9]{64}$/;

/** A v1 id clients accept: 64 lower-case hex digits. */
export function isValidV1Id(id: string): boolean {
  return VALID_V1_ID.test(id);
}

/**
 * Quay's collision rule: the repository already holds an image under this v1 id (`repositoryImages` maps
 * v1 id to its storage checksum) over a different blob.
 */
export function collidesWithRepositoryImage(
  repositoryImages: ReadonlyMap<string, string>,
  id: string,
  blob: string,
): boolean {
  const held = repositoryImages.get(id);
  return held !== undefined && held !== blob;
}

/**
 * The database ids in an `ancestors` value, root first (`/` for a base image, else `/<root>/…/<parent>/`).
 * `undefined` when the value is null or not of that form: Quay would crash on it.
 */
export function parseAncestors(ancestors: string | null): number[] | undefined {
  if (ancestors === null) return undefined;
  if (ancestors === "/") return [];
  if (!/^\/(?:[0-9]+\/)+$/.test(ancestors)) return undefined;
  const ids = ancestors.slice(1, -1).split("/").map(Number);
  return ids.every((id) => Number.isSafeInteger(id) && id > 0 && id <= 2147483647) ? ids : undefined;
}

/** How a layer's stored v1 JSON reads: what the manifest core would refuse, or the id it claims. */
export type V1Reading =
  | { kind: "absent" }
  | { kind: "not_json" }
  | { kind: "not_object" }
  | { kind: "no_id" }
  | { kind: "object"; id: string; parent: string | undefined };

export function readV1(metadata: string | null): V1Reading {
  if (metadata === null) return { kind: "absent" };
  let value: unknown;
  try {
    value = JSON.parse(metadata);
  } catch {
    return { kind: "not_json" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "not_object" };
  const record = value as Record<string, unknown>;
  if (typeof record.id !== "string") return { kind: "no_id" };
  return {
    kind: "object",
    id: record.id,
    parent: typeof record.parent === "string" ? record.parent : undefined,
  };
}

/**
 * The v1 id a layer's metadata claims, for the rewrite rule's lookup of ids the repository already
 * holds. Only a lookup key: the manifest core parses the metadata for real.
 */
export function claimedV1Id(v1JsonMetadata: string | null): string | undefined {
  const v1 = readV1(v1JsonMetadata);
  return v1.kind === "object" && storableText(v1.id) ? v1.id : undefined;
}

/**
 * Whether a text decoded from JSON can be a PostgreSQL text value (and so a query parameter): `\u0000`
 * decodes to NUL, which no text column holds. No `image.docker_image_id` can equal such an id, so it is
 * never looked up; it is not 64 hex digits either, so the rewrite replaces it.
 */
export function storableText(text: string): boolean {
  return !text.includes("\u0000");
}
