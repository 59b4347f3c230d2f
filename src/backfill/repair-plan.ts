import type { RefusalCode } from "../reason-registry.js";
import type { ManifestParts, MappedState } from "./store-read-rows.js";
import type { ImageRef, ManifestPlan, MapPlan, SynthesizedImage } from "./tag-plan.js";

/** One row value `reprocess` changes: printed by `--dry-run`, summarised in the tag's outcome. */
export interface RepairChange {
  repositoryTagId: number;
  table: string;
  column: string;
  /** The row's id, or `new` for a row to insert. */
  row: string;
  old: string;
  new: string;
}

/** What to write for one tag, executed in its own savepoint by applyRepair. */
export interface RepairActions {
  /** `image` rows for rewritten ids (only when a manifest is generated anew). */
  images: SynthesizedImage[];
  /** The manifest the tag ends on: the current row, another existing one, or one to create. */
  target: { kind: "existing"; id: number; bytes: string } | { kind: "create"; manifest: ManifestPlan };
  repositoryId: number;
  digest: string;
  addBlobIds: number[];
  addLegacyImage: ImageRef | null;
  /** Replace the target's bytes (and media type) with the plan's: the stored tag manifest's, or a placeholder's `{}`. */
  setBytes: { bytes: string; mediaType: string } | null;
  /** Replace the placeholder tag manifest's digest and json with the target's. */
  tagManifest: { id: number; oldDigest: string } | null;
  /** Repoint the link to the target, and/or set its broken flag (null: leave it). */
  link: { id: number; oldManifestId: number; repoint: boolean; broken: boolean | null };
  /** Point the `tag` row at the target. */
  tag: { id: number; oldManifestId: number | null } | null;
  /** Carry the tag manifest's labels to the target (maps repointed, missing ones added). */
  tagManifestLabels: { tagManifestId: number; repoint: boolean; add: MapPlan["labels"] };
  /** The placeholder row left behind, deleted only if nothing references it any more. */
  deletePlaceholder: number | null;
}

export type RepairPlan =
  | { kind: "unchanged" }
  | { kind: "refused"; code: RefusalCode; detail: string }
  | { kind: "repair"; actions: RepairActions; changes: RepairChange[]; notes: string[] };

export interface RepairInput {
  /** The plan of the tag as if unmapped (load-batch `recomputable`). */
  plan: MapPlan;
  state: MappedState;
  /** Manifest rows by manifestKey: the current one and the plan's digest, where they exist. */
  manifests: ReadonlyMap<string, ManifestParts>;
  /** Checksums of the plan's blob storages. */
  checksums: ReadonlyMap<number, string>;
  /** `repositoryId:dockerImageId` of the plan's synthesised images that already exist. */
  existingImages: ReadonlySet<string>;
  now: Date;
}
