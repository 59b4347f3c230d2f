import { sql, type Kysely, type RawBuilder } from "kysely";
import type { SeedChunk } from "../seed/seed-rows.js";
import type { Database } from "./tables.js";

/** Ids of the enum rows the seeded rows point at, resolved by name as Quay does. */
export interface SeedEnumIds {
  readonly visibility: Readonly<Record<"public" | "private", number>>;
  readonly imageKind: number;
  readonly textPlain: number;
  readonly manifestSource: number;
}

type EnumTable = "visibility" | "repositorykind" | "mediatype" | "labelsourcetype";

export async function resolveSeedEnums(db: Kysely<Database>): Promise<SeedEnumIds> {
  const byName = async (table: EnumTable, name: string) => {
    const row = await db.selectFrom(table).select("id").where("name", "=", name).executeTakeFirst();
    if (!row) throw new Error(`table ${table} has no row '${name}': run 'backfill migrate' first`);
    return row.id;
  };
  return {
    visibility: {
      public: await byName("visibility", "public"),
      private: await byName("visibility", "private"),
    },
    imageKind: await byName("repositorykind", "image"),
    textPlain: await byName("mediatype", "text/plain"),
    manifestSource: await byName("labelsourcetype", "manifest"),
  };
}

/**
 * The rows of one table as one JSON parameter, unpacked by `json_to_recordset`. JSON.stringify is
 * native and PostgreSQL's JSON parser fast, where per-column `unnest($n::text[])` arrays cost an
 * escaping pass in JavaScript and array parsing on the server: about twice the time for v1 JSON.
 */
function rows(records: readonly object[], columns: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`json_to_recordset(${JSON.stringify(records)}::json) AS t(${columns})`;
}

/**
 * Writes one chunk with one multi-row `INSERT … SELECT` per table (a round trip per table, not per row),
 * ids explicit, in foreign-key order. Call inside a transaction.
 */
export async function writeSeedChunk(
  db: Kysely<Database>,
  chunk: SeedChunk,
  enums: SeedEnumIds,
): Promise<void> {
  const { users, repositories, storages, images, tags, tagManifests, labels, tagManifestLabels } = chunk;
  if (users.length > 0) {
    await sql`INSERT INTO "user" (id, uuid, username, email, verified, organization, robot, enabled, creation_date)
      SELECT id, uuid, username, email, true, organization, false, true, "creationDate"
      FROM ${rows(users, sql`id int, uuid text, username text, email text, organization bool, "creationDate" timestamp`)}`.execute(
      db,
    );
  }
  if (repositories.length > 0) {
    const withIds = repositories.map((r) => ({ ...r, visibilityId: enums.visibility[r.visibility] }));
    await sql`INSERT INTO repository (id, namespace_user_id, name, visibility_id, description, badge_token, kind_id)
      SELECT id, "namespaceUserId", name, "visibilityId", description, "badgeToken", ${enums.imageKind}::int
      FROM ${rows(withIds, sql`id int, "namespaceUserId" int, name text, "visibilityId" int, description text, "badgeToken" text`)}`.execute(
      db,
    );
  }
  if (storages.length > 0) {
    await sql`INSERT INTO imagestorage (id, uuid, image_size, uncompressed_size, uploading, cas_path, content_checksum)
      SELECT id, uuid, "imageSize", "uncompressedSize", uploading, true, "contentChecksum"
      FROM ${rows(storages, sql`id int, uuid text, "imageSize" bigint, "uncompressedSize" bigint, uploading bool, "contentChecksum" text`)}`.execute(
      db,
    );
  }
  if (images.length > 0) {
    await sql`INSERT INTO image (id, docker_image_id, repository_id, ancestors, storage_id, created, comment, command,
        aggregate_size, v1_json_metadata, parent_id)
      SELECT id, "dockerImageId", "repositoryId", ancestors, "storageId", created, comment, command,
        "aggregateSize", "v1JsonMetadata", "parentId"
      FROM ${rows(
        images,
        sql`id int, "dockerImageId" text, "repositoryId" int, ancestors text, "storageId" int, created timestamp,
          comment text, command text, "aggregateSize" bigint, "v1JsonMetadata" text, "parentId" int`,
      )}`.execute(db);
  }
  if (tags.length > 0) {
    await sql`INSERT INTO repositorytag (id, name, image_id, repository_id, lifetime_start_ts, lifetime_end_ts, hidden, reversion)
      SELECT id, name, "imageId", "repositoryId", "lifetimeStartTs", "lifetimeEndTs", hidden, reversion
      FROM ${rows(
        tags,
        sql`id int, name text, "imageId" int, "repositoryId" int, "lifetimeStartTs" int, "lifetimeEndTs" int,
          hidden bool, reversion bool`,
      )}`.execute(db);
  }
  if (tagManifests.length > 0) {
    await sql`INSERT INTO tagmanifest (id, tag_id, digest, json_data)
      SELECT id, "tagId", digest, "jsonData"
      FROM ${rows(tagManifests, sql`id int, "tagId" int, digest text, "jsonData" text`)}`.execute(db);
  }
  if (labels.length > 0) {
    await sql`INSERT INTO label (id, uuid, key, value, media_type_id, source_type_id)
      SELECT id, uuid, key, value, ${enums.textPlain}::int, ${enums.manifestSource}::int
      FROM ${rows(labels, sql`id int, uuid text, key text, value text`)}`.execute(db);
  }
  if (tagManifestLabels.length > 0) {
    await sql`INSERT INTO tagmanifestlabel (id, repository_id, annotated_id, label_id)
      SELECT id, "repositoryId", "annotatedId", "labelId"
      FROM ${rows(tagManifestLabels, sql`id int, "repositoryId" int, "annotatedId" int, "labelId" int`)}`.execute(
      db,
    );
  }
}

/** The tables the seeder writes with explicit ids, in foreign-key order. */
export const SEEDED_TABLES = [
  "user",
  "repository",
  "imagestorage",
  "image",
  "repositorytag",
  "tagmanifest",
  "label",
  "tagmanifestlabel",
] as const;

/** Moves each id sequence past the highest id, so rows inserted later by anyone get fresh ids. */
export async function syncSeedSequences(db: Kysely<Database>): Promise<void> {
  for (const table of SEEDED_TABLES) {
    await sql`SELECT setval(pg_get_serial_sequence(${`public."${table}"`}, 'id'),
      COALESCE((SELECT max(id) FROM ${sql.table(table)}), 0) + 1, false)`.execute(db);
  }
}
