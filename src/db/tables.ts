import type { ColumnType, Generated, Insertable, Selectable } from "kysely";
import type { TagOutcomeKind } from "../backfill/outcome-kinds.js";

/** Column types of the tables this project reads and writes (Quay's, public schema; ours, `backfill`). */
type Id = Generated<number>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface UserTable {
  id: Id;
  uuid: string | null;
  username: string;
  email: string;
  verified: Generated<boolean>;
  organization: Generated<boolean>;
  robot: Generated<boolean>;
  enabled: Generated<boolean>;
  creation_date: Generated<Timestamp>;
}

export interface NamedTable {
  id: Id;
  name: string;
}

export interface RepositoryTable {
  id: Id;
  namespace_user_id: number | null;
  name: string;
  visibility_id: number;
  description: string | null;
  badge_token: string;
  kind_id: number;
  trust_enabled: Generated<boolean>;
  state: Generated<number>;
}

export interface ImageStorageTable {
  id: Id;
  uuid: string;
  image_size: number | null;
  uncompressed_size: number | null;
  uploading: boolean | null;
  cas_path: Generated<boolean>;
  content_checksum: string | null;
}

export interface ImageTable {
  id: Id;
  docker_image_id: string;
  repository_id: number;
  ancestors: string | null;
  storage_id: number | null;
  created: Timestamp | null;
  comment: string | null;
  command: string | null;
  aggregate_size: number | null;
  v1_json_metadata: string | null;
  v1_checksum: string | null;
  security_indexed: Generated<boolean>;
  security_indexed_engine: Generated<number>;
  parent_id: number | null;
}

export interface RepositoryTagTable {
  id: Id;
  name: string;
  image_id: number;
  repository_id: number;
  lifetime_start_ts: number;
  lifetime_end_ts: number | null;
  hidden: Generated<boolean>;
  reversion: Generated<boolean>;
}

export interface TagManifestTable {
  id: Id;
  tag_id: number;
  digest: string;
  json_data: string;
}

export interface LabelTable {
  id: Id;
  uuid: string;
  key: string;
  value: string;
  media_type_id: number;
  source_type_id: number;
}

export interface LabelSourceTypeTable {
  id: Id;
  name: string;
  mutable: Generated<boolean>;
}

export interface TagManifestLabelTable {
  id: Id;
  repository_id: number;
  annotated_id: number;
  label_id: number;
}

export interface ManifestTable {
  id: Id;
  repository_id: number;
  digest: string;
  media_type_id: number;
  manifest_bytes: string;
  config_media_type: string | null;
  layers_compressed_size: number | null;
}

export interface ManifestBlobTable {
  id: Id;
  repository_id: number;
  manifest_id: number;
  blob_id: number;
}

export interface ManifestLegacyImageTable {
  id: Id;
  repository_id: number;
  manifest_id: number;
  image_id: number;
}

export interface ManifestChildTable {
  id: Id;
  repository_id: number;
  manifest_id: number;
  child_manifest_id: number;
}

export interface ManifestLabelTable {
  id: Id;
  repository_id: number;
  manifest_id: number;
  label_id: number;
}

export interface TagTable {
  id: Id;
  name: string;
  repository_id: number;
  manifest_id: number | null;
  lifetime_start_ms: number;
  lifetime_end_ms: number | null;
  immutable: Generated<boolean>;
  hidden: Generated<boolean>;
  reversion: Generated<boolean>;
  tag_kind_id: number;
  linked_tag_id: number | null;
}

export interface TagManifestToManifestTable {
  id: Id;
  tag_manifest_id: number;
  manifest_id: number;
  broken: Generated<boolean>;
}

export interface TagToRepositoryTagTable {
  id: Id;
  repository_id: number;
  tag_id: number;
  repository_tag_id: number;
}

export interface TagManifestLabelMapTable {
  id: Id;
  tag_manifest_id: number;
  manifest_id: number | null;
  label_id: number;
  tag_manifest_label_id: number;
  manifest_label_id: number | null;
  broken_manifest: Generated<boolean>;
}

export type RunKind = "backfill" | "scheduled" | "reprocess";
export type RunStatus = "pending" | "running" | "paused" | "cancelled" | "completed" | "failed";
export type BatchStatus = "pending" | "running" | "done" | "failed";

export interface RunTable {
  id: Generated<string>;
  kind: RunKind;
  status: RunStatus;
  target: string;
  filters: Json;
  options: Json;
  dry_run: Generated<boolean>;
  batch_size: number;
  total_tags: number | null;
  started_by: Json;
  config: Json;
  error: string | null;
  created_at: Generated<Timestamp>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: Generated<Timestamp>;
  /** Why no batch of the run is claimed now, since when, and the throttled time before (migration 0004). */
  throttle_reason: Generated<string | null>;
  throttled_since: Generated<Timestamp | null>;
  throttled_ms: Generated<string>;
  /** Its window (`22:00-06:00`) in an IANA zone, own replica-lag line (0006) and nice ratio (0008; null: the variable's). */
  time_window: Generated<string | null>;
  time_zone: Generated<string | null>;
  max_replica_lag_s: Generated<number | null>;
  nice_ratio: Generated<number | null>;
  /** Adaptive state, contended deliveries, own target batch duration, cap in flight (migration 0007). */
  adaptive_state: Generated<unknown>;
  contended_deliveries: Generated<string>;
  target_batch_ms: Generated<number | null>;
  max_concurrency: Generated<number | null>;
}

export interface BatchTable {
  id: Generated<string>;
  run_id: string;
  seq: number;
  lo: number;
  hi: number;
  tag_ids: number[] | null;
  status: BatchStatus;
  attempts: Generated<number>;
  /** Deliveries in a row that ended in a lock or statement timeout (migrations/0005-batch-contended.ts). */
  contended: Generated<number>;
  lease_token: string | null;
  lease_expires_at: Timestamp | null;
  counts: Json;
  timings: Json;
  error: string | null;
  created_at: Generated<Timestamp>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface TagOutcomeTable {
  repository_tag_id: number;
  run_id: string;
  batch_id: string | null;
  outcome: TagOutcomeKind;
  reason: string | null;
  detail: string | null;
  rewritten_ids: Generated<number>;
  manifest_digest: string | null;
  updated_at: Generated<Timestamp>;
  /** What `reprocess --force` did to a mapped tag (migration 0003). */
  reprocess: "repaired" | "unchanged" | "refused" | "failed" | null;
  reprocess_detail: string | null;
}

export interface RunEventTable {
  id: Generated<string>;
  run_id: string;
  at: Generated<Timestamp>;
  from_status: RunStatus | null;
  to_status: RunStatus;
  actor: string;
  detail: Json;
}

export interface Database {
  user: UserTable;
  visibility: NamedTable;
  repositorykind: NamedTable;
  repository: RepositoryTable;
  imagestorage: ImageStorageTable;
  image: ImageTable;
  repositorytag: RepositoryTagTable;
  tagmanifest: TagManifestTable;
  mediatype: NamedTable;
  labelsourcetype: LabelSourceTypeTable;
  label: LabelTable;
  tagmanifestlabel: TagManifestLabelTable;
  tagkind: NamedTable;
  manifest: ManifestTable;
  manifestblob: ManifestBlobTable;
  manifestlegacyimage: ManifestLegacyImageTable;
  manifestchild: ManifestChildTable;
  manifestlabel: ManifestLabelTable;
  tag: TagTable;
  tagmanifesttomanifest: TagManifestToManifestTable;
  tagtorepositorytag: TagToRepositoryTagTable;
  tagmanifestlabelmap: TagManifestLabelMapTable;
  "backfill.run": RunTable;
  "backfill.batch": BatchTable;
  "backfill.tag_outcome": TagOutcomeTable;
  "backfill.run_event": RunEventTable;
}

export type RepositoryTagRow = Selectable<RepositoryTagTable>;
export type ImageRow = Selectable<ImageTable>;
export type ImageStorageRow = Selectable<ImageStorageTable>;
export type TagManifestRow = Selectable<TagManifestTable>;
export type RunRow = Selectable<RunTable>;
export type NewRunRow = Insertable<RunTable>;
export type BatchRow = Selectable<BatchTable>;
export type NewBatchRow = Insertable<BatchTable>;
