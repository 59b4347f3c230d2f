import type { Kysely } from "kysely";
import type { ExplainSource } from "../explain/explain-source.js";
import { batchStoreReads } from "./batch-store-reads.js";
import { findTagById, findTagByName } from "./explain-find-tag.js";
import type { Database } from "./tables.js";
import { loadManifestBlobs } from "./verify-load-manifest-blobs.js";
import { loadManifestBytes } from "./verify-load-manifest-bytes.js";
import { loadMappedTags } from "./verify-load-mapped-tags.js";

/** `explain`'s reads (src/explain/explain-source.ts) on PostgreSQL, in one READ ONLY transaction. */
export function createExplainSource(db: Kysely<Database>): ExplainSource {
  return {
    readOnly: (fn) =>
      db
        .transaction()
        .setAccessMode("read only")
        .execute((trx) =>
          fn({
            batch: batchStoreReads(trx),
            findTag: (ref, nowTs) =>
              "id" in ref ? findTagById(trx, ref.id, nowTs) : findTagByName(trx, ref, nowTs),
            loadMappedTag: async (id) => (await loadMappedTags(trx, { ids: [id] }, {}))[0],
            loadWrittenManifest: async (manifestId) => ({
              bytes: (await loadManifestBytes(trx, [manifestId])).get(manifestId) ?? "",
              blobs: (await loadManifestBlobs(trx, [manifestId])).get(manifestId)?.length ?? 0,
            }),
          }),
        ),
  };
}
