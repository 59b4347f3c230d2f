import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../../src/db/tables.js";
import { buildSchema1 } from "../../src/manifest/build-schema1.js";

/** A v1 id made from a seed: 64 lower-case hex characters. */
export function v1Id(seed: string): string {
  return createHash("sha256").update(`id:${seed}`).digest("hex");
}

/** A blob checksum made from a seed. */
export function blobSum(seed: string): string {
  return "sha256:" + createHash("sha256").update(`blob:${seed}`).digest("hex");
}

export function v1Json(id: string, parent: string | null, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    ...(parent === null ? {} : { parent }),
    created: "2016-03-01T12:00:00Z",
    container_config: { Cmd: ["/bin/sh", "-c", `echo ${id.slice(0, 6)}`] },
    Size: 12,
    ...extra,
  });
}

export interface LayerSpec {
  /** Storage checksum; null stores none. */
  checksum?: string | null;
  uploading?: boolean | null;
  /** No storage row at all. */
  noStorage?: boolean;
  /** v1 id of the row (and of the JSON unless `json` is given). */
  dockerId?: string;
  /** Raw v1 JSON; defaults to a valid document naming the row's id and parent. */
  json?: string | null;
  /** Use this storage id instead of creating one. */
  storageId?: number;
}

export interface ImageRow {
  id: number;
  dockerId: string;
  ancestors: string;
  storageId: number | null;
}

let seq = 0;

/** Inserts small legacy registries directly, row by row, with Quay's column conventions. */
export class LegacyFixtures {
  constructor(readonly db: Kysely<Database>) {}

  async repository(namespace: string, name: string): Promise<number> {
    let user = await this.db
      .selectFrom("user")
      .select("id")
      .where("username", "=", namespace)
      .executeTakeFirst();
    user ??= await this.db
      .insertInto("user")
      .values({ username: namespace, email: `${namespace}@example.com` })
      .returning("id")
      .executeTakeFirstOrThrow();
    const visibility = await this.db
      .selectFrom("visibility")
      .select("id")
      .where("name", "=", "public")
      .executeTakeFirstOrThrow();
    const kind = await this.db
      .selectFrom("repositorykind")
      .select("id")
      .where("name", "=", "image")
      .executeTakeFirstOrThrow();
    const repo = await this.db
      .insertInto("repository")
      .values({
        namespace_user_id: user.id,
        name,
        visibility_id: visibility.id,
        badge_token: "t",
        kind_id: kind.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return repo.id;
  }

  async storage(checksum: string | null, uploading: boolean | null = false): Promise<number> {
    const row = await this.db
      .insertInto("imagestorage")
      .values({
        uuid: `uuid-${++seq}-${Math.random()}`,
        content_checksum: checksum,
        uploading,
        image_size: 100,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async image(
    repositoryId: number,
    dockerId: string,
    parent: ImageRow | null,
    storageId: number | null,
    json: string | null,
    ancestors?: string,
  ): Promise<ImageRow> {
    const computed = ancestors ?? (parent === null ? "/" : `${parent.ancestors}${parent.id}/`);
    const row = await this.db
      .insertInto("image")
      .values({
        docker_image_id: dockerId,
        repository_id: repositoryId,
        ancestors: computed,
        storage_id: storageId,
        v1_json_metadata: json,
        parent_id: parent?.id ?? null,
        created: new Date("2016-03-01T12:00:00Z"),
        aggregate_size: 100,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { id: row.id, dockerId, ancestors: computed, storageId };
  }

  /** A chain, base first; returns its rows base first (the leaf is last). */
  async chain(repositoryId: number, seed: string, layers: LayerSpec[]): Promise<ImageRow[]> {
    const rows: ImageRow[] = [];
    for (const [index, layer] of layers.entries()) {
      const parent = rows.at(-1) ?? null;
      const dockerId = layer.dockerId ?? v1Id(`${seed}/${index}`);
      const storageId = layer.noStorage
        ? null
        : (layer.storageId ??
          (await this.storage(
            layer.checksum === undefined ? blobSum(`${seed}/${index}`) : layer.checksum,
            layer.uploading ?? false,
          )));
      const json = layer.json === undefined ? v1Json(dockerId, parent?.dockerId ?? null) : layer.json;
      rows.push(await this.image(repositoryId, dockerId, parent, storageId, json));
    }
    return rows;
  }

  async tag(
    repositoryId: number,
    name: string,
    imageId: number,
    options: { start?: number; end?: number | null; hidden?: boolean; reversion?: boolean } = {},
  ): Promise<number> {
    const row = await this.db
      .insertInto("repositorytag")
      .values({
        name,
        repository_id: repositoryId,
        image_id: imageId,
        lifetime_start_ts: options.start ?? 1500000000,
        lifetime_end_ts: options.end ?? null,
        hidden: options.hidden ?? false,
        reversion: options.reversion ?? false,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async tagManifest(tagId: number, json: string, digest: string): Promise<number> {
    const row = await this.db
      .insertInto("tagmanifest")
      .values({ tag_id: tagId, json_data: json, digest })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async label(repositoryId: number, tagManifestId: number, key: string, value: string): Promise<number> {
    const mediaType = await this.db
      .selectFrom("mediatype")
      .select("id")
      .where("name", "=", "text/plain")
      .executeTakeFirstOrThrow();
    const source = await this.db
      .selectFrom("labelsourcetype")
      .select("id")
      .where("name", "=", "manifest")
      .executeTakeFirstOrThrow();
    const label = await this.db
      .insertInto("label")
      .values({ uuid: `label-${++seq}`, key, value, media_type_id: mediaType.id, source_type_id: source.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto("tagmanifestlabel")
      .values({ repository_id: repositoryId, annotated_id: tagManifestId, label_id: label.id })
      .execute();
    return label.id;
  }
}

/** Row counts of every table a backfill writes. */
export async function newSideCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const tables = [
    "image",
    "tagmanifest",
    "manifest",
    "manifestblob",
    "manifestlegacyimage",
    "tagmanifesttomanifest",
    "tag",
    "tagtorepositorytag",
    "manifestlabel",
    "tagmanifestlabelmap",
    "backfill.tag_outcome",
  ];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db);
    out[table] = result.rows[0]?.n ?? 0;
  }
  return out;
}

/** Rows that a clean backfill never leaves: duplicates and orphans. Every value must be 0. */
export async function integrityProblems(db: Kysely<Database>): Promise<Record<string, number>> {
  const checks: Record<string, string> = {
    tagWithoutMapping: `SELECT count(*) FROM tag t WHERE NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.tag_id = t.id)`,
    manifestUnused: `SELECT count(*) FROM manifest m WHERE NOT EXISTS (SELECT 1 FROM tagmanifesttomanifest l WHERE l.manifest_id = m.id)`,
    tagManifestUnlinked: `SELECT count(*) FROM tagmanifest tm WHERE NOT EXISTS (SELECT 1 FROM tagmanifesttomanifest l WHERE l.tag_manifest_id = tm.id)`,
    duplicateTagKey: `SELECT count(*) FROM (SELECT 1 FROM tag GROUP BY repository_id, name, lifetime_end_ms HAVING count(*) > 1) d`,
    duplicateLabelMap: `SELECT count(*) FROM (SELECT 1 FROM tagmanifestlabelmap GROUP BY tag_manifest_label_id HAVING count(*) > 1) d`,
    unmappedCandidate: `SELECT count(*) FROM repositorytag rt WHERE NOT rt.hidden AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id)`,
  };
  const out: Record<string, number> = {};
  for (const [name, query] of Object.entries(checks)) {
    const result = await sql<{ count: number }>`${sql.raw(query)}`.execute(db);
    out[name] = Number(result.rows[0]?.count ?? 0);
  }
  return out;
}

/**
 * `n` tags cycling over the common cases, in a repository of their own: a clean chain on a shared base,
 * an invalid id to rewrite, a stored tag manifest with a label, a missing parent, a tarsum checksum.
 * Returns the tag ids in insertion (id) order.
 */
export async function mixedTags(
  f: LegacyFixtures,
  namespace: string,
  name: string,
  n: number,
): Promise<number[]> {
  const repo = await f.repository(namespace, name);
  const base = (await f.chain(repo, `${name}/base`, [{}]))[0] as ImageRow;
  const tags: number[] = [];
  for (let i = 0; i < n; i++) {
    const seed = `${name}/${i}`;
    switch (i % 5) {
      case 0: {
        const leafId = v1Id(seed);
        const leaf = await f.image(
          repo,
          leafId,
          base,
          await f.storage(blobSum(seed)),
          v1Json(leafId, base.dockerId),
        );
        tags.push(await f.tag(repo, `clean-${i}`, leaf.id, { start: 1500000000 + i }));
        break;
      }
      case 1: {
        const leaf = await f.image(
          repo,
          `bad-${seed}`,
          base,
          await f.storage(blobSum(seed)),
          v1Json(`bad-${seed}`, base.dockerId),
        );
        tags.push(await f.tag(repo, `rewrite-${i}`, leaf.id));
        break;
      }
      case 2: {
        const leafId = v1Id(seed);
        const leaf = await f.image(
          repo,
          leafId,
          base,
          await f.storage(blobSum(seed)),
          v1Json(leafId, base.dockerId),
        );
        const tag = await f.tag(repo, `stored-${i}`, leaf.id);
        const json = buildSchema1({
          name: `${namespace}/${name}`,
          tag: `stored-${i}`,
          layers: [
            { blobSum: blobSum(seed), v1Compatibility: v1Json(leafId, base.dockerId) },
            { blobSum: blobSum(`${name}/base/0`), v1Compatibility: v1Json(base.dockerId, null) },
          ],
        });
        const tm = await f.tagManifest(tag, json, "sha256:stored");
        await f.label(repo, tm, "k", `v${i}`);
        tags.push(tag);
        break;
      }
      case 3: {
        const leafId = v1Id(seed);
        const leaf = await f.image(
          repo,
          leafId,
          null,
          await f.storage(blobSum(seed)),
          v1Json(leafId, null),
          "/2147483000/",
        );
        tags.push(await f.tag(repo, `broken-${i}`, leaf.id));
        break;
      }
      default: {
        const leafId = v1Id(seed);
        const storage = await f.storage(`tarsum+sha256:${blobSum(seed).slice(7)}`);
        const leaf = await f.image(repo, leafId, null, storage, v1Json(leafId, null));
        tags.push(await f.tag(repo, `tarsum-${i}`, leaf.id));
      }
    }
  }
  return tags;
}
