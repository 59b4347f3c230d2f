import type { NewImage } from "../backfill/store-write-rows.js";
import type { Kysely } from "kysely";
import type { Database } from "./tables.js";
import { chunkRows } from "./write-chunks.js";

/**
 * One statement (per 2,700 rows): synthesised `image` rows with preallocated ids. A row whose (repository,
 * v1 id) exists meanwhile is not inserted; the ids of the rows that were are returned.
 */
export async function insertImages(db: Kysely<Database>, rows: readonly NewImage[]): Promise<number[]> {
  const out: number[] = [];
  for (const chunk of chunkRows(rows, 11)) {
    const inserted = await db
      .insertInto("image")
      .values(
        chunk.map((r) => ({
          id: r.id,
          docker_image_id: r.dockerImageId,
          repository_id: r.repositoryId,
          ancestors: r.ancestors,
          storage_id: r.storageId,
          created: r.created,
          comment: r.comment,
          command: r.command,
          aggregate_size: r.aggregateSize,
          v1_json_metadata: r.v1JsonMetadata,
          parent_id: r.parentId,
        })),
      )
      .onConflict((oc) => oc.columns(["repository_id", "docker_image_id"]).doNothing())
      .returning("id")
      .execute();
    for (const row of inserted) out.push(row.id);
  }
  return out;
}
