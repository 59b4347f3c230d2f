import pg from "pg";
import { generateSchema1, type ChainLayer } from "../../src/manifest/generate-schema1.js";
import { MEDIA_TYPES } from "../../src/manifest/media-types.js";
import { loadSigner } from "../../src/manifest/signer.js";
import type { BaselineLimit } from "../lib/bench-result.js";

export interface BaselineInput {
  /** A copy of the seeded registry (written to). */
  url: string;
  size: number;
  /** Candidate tags of the registry, to extrapolate to. */
  candidates: number;
  sampleTags: number;
  keyPem: string;
  libraryNamespace: string;
  maxBytes: number;
}

interface ImageRow {
  id: number;
  docker_image_id: string;
  ancestors: string | null;
  storage_id: number | null;
  v1_json_metadata: string | null;
}

/**
 * The way Quay's worker backfilled: one tag per transaction, every read and write its own statement.
 * For each unmapped tag: read the tag, its stored manifest, its image, each ancestor one by one, each
 * storage one by one, the repository's ids for the rewrite rule; build and sign with the same manifest
 * core; insert tagmanifest, manifest, each manifestblob, manifestlegacyimage, tagmanifesttomanifest, tag
 * and tagtorepositorytag one row at a time; commit. Simplified in the baseline's favour: no synthesised
 * image rows for rewritten ids, no labels, no outcome ledger, and the candidate list is read once,
 * untimed (Quay looked each one up).
 */
export async function measurePerTagBaseline(input: BaselineInput): Promise<BaselineLimit> {
  const client = new pg.Client({ connectionString: input.url, application_name: "backfill-bench-baseline" });
  await client.connect();
  let queries = 0;
  const q: Query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> => {
    queries++;
    return (await client.query<R>(text, values)).rows;
  };
  try {
    const ids = (
      await client.query<{ id: number }>(
        `SELECT rt.id FROM repositorytag rt
          WHERE NOT rt.hidden AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id)
          ORDER BY rt.id LIMIT $1`,
        [input.sampleTags],
      )
    ).rows.map((r) => r.id);
    const enums = (
      await client.query<{ name: string; id: number }>(
        "SELECT name, id FROM mediatype UNION ALL SELECT 'kind:' || name, id FROM tagkind",
      )
    ).rows;
    const ctx: TagContext = {
      q,
      input,
      signer: loadSigner(input.keyPem),
      enumId: (name) => enums.find((e) => e.name === name)?.id ?? 0,
    };
    const started = performance.now();
    queries = 0;
    for (const tagId of ids) await backfillOneTag(ctx, tagId);
    const sampleMs = performance.now() - started;
    const tagsPerSec = (ids.length * 1000) / sampleMs;
    return {
      size: input.size,
      sampleTags: ids.length,
      sampleMs,
      tagsPerSec,
      queriesPerTag: queries / Math.max(1, ids.length),
      extrapolatedMs: (input.candidates * 1000) / tagsPerSec,
    };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

type Query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<R[]>;

interface TagContext {
  q: Query;
  input: BaselineInput;
  signer: ReturnType<typeof loadSigner>;
  enumId: (name: string) => number;
}

interface LegacyTagRow {
  id: number;
  name: string;
  image_id: number;
  repository_id: number;
  lifetime_start_ts: number;
  lifetime_end_ts: number | null;
  reversion: boolean;
  repo: string;
  ns: string;
}

/** What the tag maps to: its stored manifest, a generated one, or the broken placeholder. */
interface TagManifest {
  digest: string;
  bytes: string;
  broken: boolean;
  storedId: number | undefined;
}

/** One tag, one transaction, every statement on its own (see measurePerTagBaseline). */
async function backfillOneTag(ctx: TagContext, tagId: number): Promise<void> {
  const { q } = ctx;
  await q("BEGIN", []);
  const [tag] = await q<LegacyTagRow>(
    `SELECT rt.*, r.name AS repo, u.username AS ns FROM repositorytag rt
       JOIN repository r ON r.id = rt.repository_id JOIN "user" u ON u.id = r.namespace_user_id
      WHERE rt.id = $1`,
    [tagId],
  );
  if (tag === undefined) throw new Error(`tag ${tagId} vanished`);
  const chain = await readChain(q, tag.image_id);
  const manifest = await tagManifest(ctx, tag, chain);
  const manifestId = await writeManifest(ctx, tag, chain.images, manifest);
  await writeTag(ctx, tag, manifestId);
  await q("COMMIT", []);
}

/** The chain, leaf first, one image and one storage at a time. */
async function readChain(
  q: Query,
  imageId: number,
): Promise<{ images: ImageRow[]; layers: ChainLayer[]; ok: boolean; leaf: ImageRow | undefined }> {
  const images: ImageRow[] = [];
  const layers: ChainLayer[] = [];
  let ok = true;
  const [leaf] = await q<ImageRow>("SELECT * FROM image WHERE id = $1", [imageId]);
  const parents = (leaf?.ancestors ?? "/")
    .split("/")
    .filter((s) => s !== "")
    .map(Number)
    .reverse();
  if (leaf !== undefined) images.push(leaf);
  for (const parentId of parents) {
    const [image] = await q<ImageRow>("SELECT * FROM image WHERE id = $1", [parentId]);
    if (image === undefined) ok = false;
    else images.push(image);
  }
  for (const image of images) {
    const [storage] = await q<{ uploading: boolean | null; content_checksum: string | null }>(
      "SELECT uploading, content_checksum FROM imagestorage WHERE id = $1",
      [image.storage_id],
    );
    if (storage === undefined || storage.uploading === true || !storage.content_checksum) ok = false;
    else layers.push({ blobSum: storage.content_checksum, v1Compatibility: image.v1_json_metadata });
  }
  return { images, layers, ok, leaf };
}

async function tagManifest(
  ctx: TagContext,
  tag: LegacyTagRow,
  chain: Awaited<ReturnType<typeof readChain>>,
): Promise<TagManifest> {
  const [stored] = await ctx.q<{ id: number; digest: string; json_data: string }>(
    "SELECT id, digest, json_data FROM tagmanifest WHERE tag_id = $1",
    [tag.id],
  );
  if (stored !== undefined) {
    return { digest: stored.digest, bytes: stored.json_data, broken: false, storedId: stored.id };
  }
  const placeholder = { digest: `BROKEN-${tag.id}`, bytes: "{}", broken: true, storedId: undefined };
  if (!chain.ok || chain.leaf === undefined) return placeholder;
  const existing = await ctx.q<{ docker_image_id: string; content_checksum: string | null }>(
    `SELECT i.docker_image_id, s.content_checksum FROM image i JOIN imagestorage s ON s.id = i.storage_id
      WHERE i.repository_id = $1 AND i.docker_image_id = ANY($2::varchar[])`,
    [tag.repository_id, chain.images.map((c) => c.docker_image_id)],
  );
  const generated = await generateSchema1({
    namespace: tag.ns,
    repository: tag.repo,
    tag: tag.name,
    libraryNamespace: ctx.input.libraryNamespace,
    layers: chain.layers,
    existingImages: new Map(existing.map((e) => [e.docker_image_id, e.content_checksum ?? ""])),
    rewriteIds: true,
    maxBytes: ctx.input.maxBytes,
    signer: ctx.signer,
    signingTime: new Date(tag.lifetime_start_ts * 1000),
  });
  if (!generated.ok) return placeholder;
  return { digest: generated.digest, bytes: generated.bytes, broken: false, storedId: undefined };
}

/** tagmanifest, manifest (with its blobs and legacy image), tagmanifesttomanifest; the manifest's id. */
async function writeManifest(
  ctx: TagContext,
  tag: LegacyTagRow,
  images: readonly ImageRow[],
  m: TagManifest,
): Promise<number | null> {
  const { q } = ctx;
  const tagManifestId =
    m.storedId ??
    (
      await q<{ id: number }>(
        "INSERT INTO tagmanifest (tag_id, digest, json_data) VALUES ($1, $2, $3) RETURNING id",
        [tag.id, m.digest, m.bytes],
      )
    )[0]?.id;
  const mediaType =
    m.broken || m.bytes.includes('"signatures"') ? MEDIA_TYPES.schema1Signed : MEDIA_TYPES.schema1;
  let [manifest] = await q<{ id: number }>(
    `INSERT INTO manifest (repository_id, digest, media_type_id, manifest_bytes) VALUES ($1, $2, $3, $4)
     ON CONFLICT (repository_id, digest) DO NOTHING RETURNING id`,
    [tag.repository_id, m.digest, ctx.enumId(mediaType), m.bytes],
  );
  if (manifest === undefined) {
    [manifest] = await q<{ id: number }>("SELECT id FROM manifest WHERE repository_id = $1 AND digest = $2", [
      tag.repository_id,
      m.digest,
    ]);
  } else if (!m.broken) {
    for (const blobId of new Set(images.map((c) => c.storage_id))) {
      await q(
        `INSERT INTO manifestblob (repository_id, manifest_id, blob_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [tag.repository_id, manifest.id, blobId],
      );
    }
    await q("INSERT INTO manifestlegacyimage (repository_id, manifest_id, image_id) VALUES ($1, $2, $3)", [
      tag.repository_id,
      manifest.id,
      tag.image_id,
    ]);
  }
  const manifestId = manifest?.id ?? null;
  await q(
    `INSERT INTO tagmanifesttomanifest (tag_manifest_id, manifest_id, broken) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING`,
    [tagManifestId, manifestId, m.broken],
  );
  return manifestId;
}

/** The new tag row (or the one Quay wrote without its mapping) and its tagtorepositorytag mapping. */
async function writeTag(ctx: TagContext, tag: LegacyTagRow, manifestId: number | null): Promise<void> {
  const { q } = ctx;
  const endMs = tag.lifetime_end_ts === null ? null : tag.lifetime_end_ts * 1000;
  let [newTag] = await q<{ id: number }>(
    `INSERT INTO tag (name, repository_id, manifest_id, lifetime_start_ms, lifetime_end_ms, hidden, reversion,
                      tag_kind_id)
     VALUES ($1, $2, $3, $4, $5, false, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
    [
      tag.name,
      tag.repository_id,
      manifestId,
      tag.lifetime_start_ts * 1000,
      endMs,
      tag.reversion,
      ctx.enumId("kind:tag"),
    ],
  );
  newTag ??= (
    await q<{ id: number }>(
      "SELECT id FROM tag WHERE repository_id = $1 AND name = $2 AND lifetime_end_ms IS NOT DISTINCT FROM $3",
      [tag.repository_id, tag.name, endMs],
    )
  )[0];
  await q("INSERT INTO tagtorepositorytag (repository_id, tag_id, repository_tag_id) VALUES ($1, $2, $3)", [
    tag.repository_id,
    newTag?.id,
    tag.id,
  ]);
}
