import type { InsertedManifest, NewManifest } from "../backfill/store-write-rows.js";
import type { Kysely } from "kysely";
import type { Database } from "./tables.js";
import { chunkRows } from "./write-chunks.js";

/**
 * One statement (per 7,500 rows): `manifest` rows; one per (repository, digest), so an existing row is
 * left as it is and not returned (Quay's `populate_manifest` reuses it). Multi-row VALUES rather than
 * unnest: manifest text passed as one parameter each is several times faster than as a text[] literal.
 */
export async function insertManifests(
  db: Kysely<Database>,
  rows: readonly NewManifest[],
): Promise<InsertedManifest[]> {
  const out: InsertedManifest[] = [];
  for (const chunk of chunkRows(rows, 4)) {
    const inserted = await db
      .insertInto("manifest")
      .values(
        chunk.map((r) => ({
          repository_id: r.repositoryId,
          digest: r.digest,
          media_type_id: r.mediaTypeId,
          manifest_bytes: r.bytes,
        })),
      )
      .onConflict((oc) => oc.columns(["repository_id", "digest"]).doNothing())
      .returning(["id", "repository_id", "digest"])
      .execute();
    for (const row of inserted) out.push({ id: row.id, repositoryId: row.repository_id, digest: row.digest });
  }
  return out;
}
