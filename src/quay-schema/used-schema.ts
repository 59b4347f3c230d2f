/**
 * What of Quay's schema the backfill relies on: the tables and columns its queries name (src/db), the
 * unique keys its `ON CONFLICT` and tag lookups need, and the tables whose `id` sequence it draws from.
 * Only this is fingerprinted, so columns and tables a newer Quay adds beside them do not matter.
 */
export interface UsedTable {
  readonly columns: readonly string[];
  /** Tables the backfill inserts into: an extra NOT NULL column without a default would refuse its rows. */
  readonly written?: boolean;
  readonly uniqueKeys?: readonly (readonly string[])[];
  /** `allocateIds` takes ids from the table's serial sequence. */
  readonly idSequence?: boolean;
}

export const USED_SCHEMA: Readonly<Record<string, UsedTable>> = {
  user: { columns: ["id", "username"] },
  repository: { columns: ["id", "namespace_user_id", "name"] },
  imagestorage: { columns: ["id", "uploading", "content_checksum"] },
  image: {
    columns: [
      "id",
      "docker_image_id",
      "repository_id",
      "ancestors",
      "storage_id",
      "created",
      "comment",
      "command",
      "aggregate_size",
      "v1_json_metadata",
      "parent_id",
    ],
    written: true,
    uniqueKeys: [["repository_id", "docker_image_id"]],
    idSequence: true,
  },
  repositorytag: {
    columns: [
      "id",
      "name",
      "image_id",
      "repository_id",
      "lifetime_start_ts",
      "lifetime_end_ts",
      "hidden",
      "reversion",
    ],
  },
  tagmanifest: {
    columns: ["id", "tag_id", "digest", "json_data"],
    written: true,
    uniqueKeys: [["tag_id"]],
  },
  tagmanifestlabel: { columns: ["id", "repository_id", "annotated_id", "label_id"] },
  mediatype: { columns: ["id", "name"] },
  tagkind: { columns: ["id", "name"] },
  manifest: {
    columns: ["id", "repository_id", "digest", "media_type_id", "manifest_bytes"],
    written: true,
    uniqueKeys: [["repository_id", "digest"]],
  },
  manifestblob: {
    columns: ["id", "repository_id", "manifest_id", "blob_id"],
    written: true,
    uniqueKeys: [["manifest_id", "blob_id"]],
  },
  manifestlegacyimage: {
    columns: ["id", "repository_id", "manifest_id", "image_id"],
    written: true,
    uniqueKeys: [["manifest_id"]],
  },
  manifestchild: { columns: ["id", "manifest_id", "child_manifest_id"] },
  manifestlabel: {
    columns: ["id", "repository_id", "manifest_id", "label_id"],
    written: true,
    uniqueKeys: [["manifest_id", "label_id"]],
  },
  tag: {
    columns: [
      "id",
      "name",
      "repository_id",
      "manifest_id",
      "lifetime_start_ms",
      "lifetime_end_ms",
      "hidden",
      "reversion",
      "tag_kind_id",
    ],
    written: true,
    uniqueKeys: [["repository_id", "name", "lifetime_end_ms"]],
    idSequence: true,
  },
  tagmanifesttomanifest: {
    columns: ["id", "tag_manifest_id", "manifest_id", "broken"],
    written: true,
    uniqueKeys: [["tag_manifest_id"]],
  },
  tagtorepositorytag: {
    columns: ["id", "repository_id", "tag_id", "repository_tag_id"],
    written: true,
    uniqueKeys: [["tag_id"], ["repository_tag_id"]],
  },
  tagmanifestlabelmap: {
    columns: [
      "id",
      "tag_manifest_id",
      "manifest_id",
      "label_id",
      "tag_manifest_label_id",
      "manifest_label_id",
      "broken_manifest",
    ],
    written: true,
  },
};

export const USED_TABLES: readonly string[] = Object.keys(USED_SCHEMA);
