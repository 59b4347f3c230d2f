import type pg from "pg";
import { pushBlobDigest, pushManifest, SCHEMA2_MEDIA_TYPE } from "../lib/push-manifest.js";
import type { WorkloadOperation } from "../lib/workload-plan.js";

/** What the workload looks up: a sample of the registry's own names and digests, read once at start. */
export interface WorkloadKeys {
  /** namespace, repository, tag name and ids of live legacy tags. */
  legacyTags: { ns: string; repo: string; repositoryId: number; name: string }[];
  /** repository id and digest of manifests (from `manifest`, else from `tagmanifest`). */
  manifests: { repositoryId: number; digest: string }[];
  /** repository id and checksum of blobs (through `image`, as a legacy registry has them). */
  blobs: { repositoryId: number; digest: string }[];
  mediaTypeId: number;
  tagKindId: number;
}

const SAMPLE = 500;

export async function loadWorkloadKeys(pool: pg.Pool): Promise<WorkloadKeys> {
  const legacy = await pool.query<{ ns: string; repo: string; repository_id: number; name: string }>(
    `SELECT u.username AS ns, r.name AS repo, rt.repository_id, rt.name
       FROM repositorytag rt JOIN repository r ON r.id = rt.repository_id
       JOIN "user" u ON u.id = r.namespace_user_id
      WHERE rt.lifetime_end_ts IS NULL AND NOT rt.hidden
      ORDER BY md5(rt.id::text) LIMIT $1`,
    [SAMPLE],
  );
  const manifests = await pool.query<{ repository_id: number; digest: string }>(
    `(SELECT repository_id, digest FROM manifest ORDER BY md5(id::text) LIMIT $1)
     UNION ALL
     (SELECT rt.repository_id, tm.digest FROM tagmanifest tm JOIN repositorytag rt ON rt.id = tm.tag_id
       ORDER BY md5(tm.id::text) LIMIT $1)`,
    [SAMPLE],
  );
  const blobs = await pool.query<{ repository_id: number; digest: string }>(
    `SELECT i.repository_id, s.content_checksum AS digest FROM image i JOIN imagestorage s ON s.id = i.storage_id
      WHERE s.content_checksum IS NOT NULL ORDER BY md5(i.id::text) LIMIT $1`,
    [SAMPLE],
  );
  const ids = await pool.query<{ media: number; kind: number }>(
    `SELECT (SELECT id FROM mediatype WHERE name = $1) AS media, (SELECT id FROM tagkind WHERE name = 'tag') AS kind`,
    [SCHEMA2_MEDIA_TYPE],
  );
  const row = ids.rows[0];
  if (row?.media == null || row.kind == null)
    throw new Error("mediatype or tagkind rows are missing: run `backfill migrate`");
  return {
    legacyTags: legacy.rows.map((r) => ({
      ns: r.ns,
      repo: r.repo,
      repositoryId: r.repository_id,
      name: r.name,
    })),
    manifests: manifests.rows.map((r) => ({ repositoryId: r.repository_id, digest: r.digest })),
    blobs: blobs.rows.map((r) => ({ repositoryId: r.repository_id, digest: r.digest })),
    mediaTypeId: row.media,
    tagKindId: row.kind,
  };
}

/** Quay's v1-era tag lookup: the live repositorytag of ns/repo:name with its image and storage. */
const TAG_LEGACY = `
  SELECT rt.id, rt.name, i.docker_image_id, s.uuid, s.content_checksum
    FROM repositorytag rt JOIN repository r ON r.id = rt.repository_id
    JOIN "user" u ON u.id = r.namespace_user_id
    JOIN image i ON i.id = rt.image_id LEFT JOIN imagestorage s ON s.id = i.storage_id
   WHERE u.username = $1 AND r.name = $2 AND rt.name = $3 AND NOT rt.hidden
     AND (rt.lifetime_end_ts IS NULL OR rt.lifetime_end_ts > extract(epoch FROM now())::int)`;

/** The manifest model's tag lookup (oci.tag.get_tag): the live tag with its manifest. */
const TAG = `
  SELECT t.id, t.name, m.id AS manifest_id, m.digest, m.media_type_id
    FROM tag t JOIN repository r ON r.id = t.repository_id
    JOIN "user" u ON u.id = r.namespace_user_id JOIN manifest m ON m.id = t.manifest_id
   WHERE u.username = $1 AND r.name = $2 AND t.name = $3 AND NOT t.hidden
     AND (t.lifetime_end_ms IS NULL OR t.lifetime_end_ms > (extract(epoch FROM now()) * 1000)::bigint)`;

const MANIFEST = `SELECT id, digest, media_type_id, manifest_bytes FROM manifest WHERE repository_id = $1 AND digest = $2`;

/** A blob of the repository: through manifestblob first, then through image as a legacy registry does. */
const BLOB_NEW = `
  SELECT s.id, s.uuid, s.image_size FROM manifestblob mb JOIN imagestorage s ON s.id = mb.blob_id
   WHERE mb.repository_id = $1 AND s.content_checksum = $2 AND NOT s.uploading LIMIT 1`;
const BLOB_LEGACY = `
  SELECT s.id, s.uuid, s.image_size FROM image i JOIN imagestorage s ON s.id = i.storage_id
   WHERE i.repository_id = $1 AND s.content_checksum = $2 LIMIT 1`;

function pick<T>(list: readonly T[], r: number): T | undefined {
  return list[Math.floor(r * list.length)];
}

/** One workload process's operations: `processTag` keeps its pushed names and digests its own. */
export class WorkloadQueries {
  #pushes = 0;
  /** The last push of each tag name: a client pushes one tag at a time, so pushes of a name wait in turn. */
  readonly #tagPushes = new Map<string, Promise<void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: WorkloadKeys,
    private readonly processTag: string,
  ) {}

  /** Runs one operation; `r` picks its key. Rejects with the database's error. */
  async run(op: WorkloadOperation, r: number): Promise<void> {
    if (op === "push") return this.pushInTurn(r);
    if (op === "tag_legacy" || op === "tag") {
      const t = pick(this.keys.legacyTags, r) ?? { ns: "none", repo: "none", name: "none" };
      await this.pool.query(op === "tag" ? TAG : TAG_LEGACY, [t.ns, t.repo, t.name]);
      return;
    }
    if (op === "manifest_by_digest") {
      const m = pick(this.keys.manifests, r) ?? { repositoryId: 0, digest: "sha256:none" };
      await this.pool.query(MANIFEST, [m.repositoryId, m.digest]);
      return;
    }
    const b = pick(this.keys.blobs, r) ?? { repositoryId: 0, digest: "sha256:none" };
    const found = await this.pool.query(BLOB_NEW, [b.repositoryId, b.digest]);
    if (found.rowCount === 0) await this.pool.query(BLOB_LEGACY, [b.repositoryId, b.digest]);
  }

  private async pushInTurn(r: number): Promise<void> {
    const n = this.#pushes++;
    const name = `wl-${this.processTag}-${n % 8}`;
    const previous = this.#tagPushes.get(name) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.push(r, n, name));
    this.#tagPushes.set(name, mine);
    return mine;
  }

  /**
   * A v2 push of a tag: its layer is a new blob, its config an existing one of the repository; the
   * manifest, its manifestblob rows, the old tag row ended and the new one written, in one transaction, as
   * Quay's registry does. Tag names cycle over a few per process, so pushes also retarget tags; two
   * alive rows of one name would make a later retarget end both at the same millisecond (a unique violation).
   */
  private async push(r: number, n: number, name: string): Promise<void> {
    const target = pick(this.keys.legacyTags, r);
    if (!target) throw new Error("no repository to push into");
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const layer = { digest: pushBlobDigest(this.processTag, n, "layer"), size: 1024 + (n % 977) };
      const config = { digest: pushBlobDigest(this.processTag, n, "config"), size: 512 };
      const storage = await client.query<{ id: number }>(
        `INSERT INTO imagestorage (uuid, image_size, uploading, content_checksum)
         VALUES (gen_random_uuid()::text, $1, false, $2), (gen_random_uuid()::text, $3, false, $4) RETURNING id`,
        [layer.size, layer.digest, config.size, config.digest],
      );
      const manifest = pushManifest(config, [layer]);
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO manifest (repository_id, digest, media_type_id, manifest_bytes, config_media_type, layers_compressed_size)
         VALUES ($1, $2, $3, $4, 'application/vnd.docker.container.image.v1+json', $5) RETURNING id`,
        [target.repositoryId, manifest.digest, this.keys.mediaTypeId, manifest.bytes, manifest.layersSize],
      );
      const manifestId = inserted.rows[0]?.id;
      for (const s of storage.rows) {
        await client.query(
          `INSERT INTO manifestblob (repository_id, manifest_id, blob_id) VALUES ($1, $2, $3)`,
          [target.repositoryId, manifestId, s.id],
        );
      }
      const now = Date.now();
      await client.query(
        `UPDATE tag SET lifetime_end_ms = $3 WHERE repository_id = $1 AND name = $2 AND lifetime_end_ms IS NULL`,
        [target.repositoryId, name, now],
      );
      await client.query(
        `INSERT INTO tag (name, repository_id, manifest_id, lifetime_start_ms, tag_kind_id) VALUES ($1, $2, $3, $4, $5)`,
        [name, target.repositoryId, manifestId, now, this.keys.tagKindId],
      );
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
