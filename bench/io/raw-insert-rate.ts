import pg from "pg";
import { processCpuSec } from "./postgres-cpu.js";
import type { RawInsertLimit } from "../lib/bench-result.js";
import { median } from "../lib/percentile.js";

export interface RawInsertInput {
  /** A migrated scratch database holding a small seeded registry (for the foreign keys). */
  url: string;
  /** manifestblob rows per manifest (the measured mix); every other table gets one row per tag. */
  blobsPerTag: number;
  /** Real manifest texts to store, cycled (TOAST compresses real JSON as it would in a run). */
  manifestPool: readonly string[];
  tagsPerRound: number;
  rounds: number;
}

const SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/**
 * The database's own limit for the rows one tag costs: per round, one transaction of one
 * `INSERT … SELECT … FROM generate_series` per table (manifest, manifestblob, manifestlegacyimage,
 * tagmanifest, tagmanifesttomanifest, tag, tagtorepositorytag) with every foreign key and unique index
 * of the schema in place. No client round trip per row, no lookups: what the server can absorb.
 * The repositorytag rows the mappings point at are created beforehand, untimed.
 */
export async function measureRawInsertRate(input: RawInsertInput): Promise<RawInsertLimit> {
  const client = new pg.Client({ connectionString: input.url, application_name: "backfill-bench-raw" });
  await client.connect();
  try {
    const n = input.tagsPerRound;
    const setup = await prepareRawInsert(client, input);
    const rates: number[] = [];
    let blobRows = 0;
    // The one backend does all of the server's work for the rounds: its CPU time before and after.
    const backend = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const pid = backend.rows[0]?.pid ?? 0;
    const cpuStart = await processCpuSec(pid);
    for (let round = 0; round < input.rounds; round++) {
      const started = performance.now();
      await client.query("BEGIN");
      blobRows += await insertRound(client, setup, n, round * n);
      await client.query("COMMIT");
      rates.push((n * 1000) / (performance.now() - started));
    }
    const pgCpuSec = (await processCpuSec(pid)) - cpuStart;
    const tagsPerSec = median(rates);
    const blobsPerTag = blobRows / (n * input.rounds);
    const rowsPerTag = {
      manifest: 1,
      manifestblob: blobsPerTag,
      manifestlegacyimage: 1,
      tagmanifest: 1,
      tagmanifesttomanifest: 1,
      tag: 1,
      tagtorepositorytag: 1,
    };
    const perTag = Object.values(rowsPerTag).reduce((a, b) => a + b, 0);
    return {
      rowsPerTag,
      tagsPerRound: n,
      rounds: input.rounds,
      tagsPerSec,
      rowsPerSec: tagsPerSec * perTag,
      pgCpuMsPerTag: (pgCpuSec * 1000) / (n * input.rounds),
    };
  } finally {
    await client.end();
  }
}

/** The ids every round builds on: one repository, image, media type and tag kind, blobs, id offsets. */
interface RawInsertSetup {
  base: { repo: number; image: number; mt: number; kind: number };
  blobIds: number[];
  blobsPerTag: number;
  /** The first repositorytag id created for the mappings. */
  rtLo: number;
  offsets: { m: number; tm: number; t: number };
  pool: number;
}

/** Untimed: the manifest pool as a temporary table and the repositorytag rows the mappings point at. */
async function prepareRawInsert(client: pg.Client, input: RawInsertInput): Promise<RawInsertSetup> {
  const ids = await client.query<{ repo: number; image: number; mt: number; kind: number }>(
    `SELECT i.repository_id AS repo, i.id AS image,
            (SELECT id FROM mediatype WHERE name = $1) AS mt, (SELECT id FROM tagkind WHERE name = 'tag') AS kind
       FROM image i WHERE i.storage_id IS NOT NULL ORDER BY i.id LIMIT 1`,
    [SIGNED],
  );
  const base = ids.rows[0];
  if (base === undefined) throw new Error("the raw-insert database has no image rows: seed it first");
  const maxBlobs = Math.ceil(input.blobsPerTag);
  const blobs = await client.query<{ id: number }>("SELECT id FROM imagestorage ORDER BY id LIMIT $1", [
    maxBlobs,
  ]);
  if (blobs.rows.length < maxBlobs)
    throw new Error(`the raw-insert database has fewer than ${maxBlobs} storages`);

  // Held uncompressed (EXTERNAL), so each insert below compresses its values as a run's fresh text is
  // compressed; a compressed pool value would be copied as it is and skip that cost.
  await client.query("CREATE TEMP TABLE raw_pool (i int PRIMARY KEY, bytes text NOT NULL)");
  await client.query("ALTER TABLE raw_pool ALTER COLUMN bytes SET STORAGE EXTERNAL");
  await client.query(
    "INSERT INTO raw_pool SELECT ordinality - 1, b FROM unnest($1::text[]) WITH ORDINALITY AS u(b)",
    [[...input.manifestPool]],
  );
  const rt = await client.query<{ lo: number }>(
    `INSERT INTO repositorytag (name, image_id, repository_id, lifetime_start_ts, hidden, reversion)
     SELECT 'raw-' || g, $1, $2, 1500000000, false, false FROM generate_series(1, $3::int) g
     RETURNING id AS lo`,
    [base.image, base.repo, input.tagsPerRound * input.rounds],
  );
  await client.query("ANALYZE");
  const idBase = await client.query<{ m: number; tm: number; t: number }>(
    `SELECT COALESCE((SELECT max(id) FROM manifest), 0) AS m, COALESCE((SELECT max(id) FROM tagmanifest), 0) AS tm,
            COALESCE((SELECT max(id) FROM tag), 0) AS t`,
  );
  return {
    base,
    blobIds: blobs.rows.map((r) => r.id),
    blobsPerTag: input.blobsPerTag,
    rtLo: Math.min(...rt.rows.map((r) => r.lo)),
    offsets: idBase.rows[0] as { m: number; tm: number; t: number },
    pool: input.manifestPool.length,
  };
}

/** One round's `INSERT … SELECT … FROM generate_series` per table; the manifestblob rows it made. */
async function insertRound(client: pg.Client, r: RawInsertSetup, n: number, o: number): Promise<number> {
  const { base, offsets, pool, rtLo } = r;
  await client.query(
    `INSERT INTO manifest (id, repository_id, digest, media_type_id, manifest_bytes)
     SELECT $2::int + g, $3, 'sha256:' || lpad(to_hex($2::int + g), 64, '0'), $4, p.bytes
       FROM generate_series(1, $1::int) g JOIN raw_pool p ON p.i = g % $5::int`,
    [n, offsets.m + o, base.repo, base.mt, pool],
  );
  // Blob count of tag g: floor(g·k) − floor((g−1)·k), so the mean is exactly k.
  const mb = await client.query(
    `INSERT INTO manifestblob (repository_id, manifest_id, blob_id)
     SELECT $3, $2::int + g, ($4::int[])[j]
       FROM generate_series(1, $1::int) g,
            LATERAL generate_series(1, (floor(g * $5::float8) - floor((g - 1) * $5::float8))::int) j`,
    [n, offsets.m + o, base.repo, r.blobIds, r.blobsPerTag],
  );
  await client.query(
    `INSERT INTO manifestlegacyimage (repository_id, manifest_id, image_id)
     SELECT $2, $3::int + g, $4 FROM generate_series(1, $1::int) g`,
    [n, base.repo, offsets.m + o, base.image],
  );
  await client.query(
    `INSERT INTO tagmanifest (id, tag_id, digest, json_data)
     SELECT $2::int + g, $3::int + g, 'sha256:' || lpad(to_hex($4::int + g), 64, '0'), p.bytes
       FROM generate_series(1, $1::int) g JOIN raw_pool p ON p.i = g % $5::int`,
    [n, offsets.tm + o, rtLo + o - 1, offsets.m + o, pool],
  );
  await client.query(
    `INSERT INTO tagmanifesttomanifest (tag_manifest_id, manifest_id, broken)
     SELECT $2::int + g, $3::int + g, false FROM generate_series(1, $1::int) g`,
    [n, offsets.tm + o, offsets.m + o],
  );
  await client.query(
    `INSERT INTO tag (id, name, repository_id, manifest_id, lifetime_start_ms, lifetime_end_ms, hidden,
                      reversion, tag_kind_id)
     SELECT $2::int + g, 'raw-' || ($2::int + g), $4, $3::int + g, 1500000000000, NULL, false, false, $5
       FROM generate_series(1, $1::int) g`,
    [n, offsets.t + o, offsets.m + o, base.repo, base.kind],
  );
  await client.query(
    `INSERT INTO tagtorepositorytag (repository_id, tag_id, repository_tag_id)
     SELECT $2, $3::int + g, $4::int + g FROM generate_series(1, $1::int) g`,
    [n, base.repo, offsets.t + o, rtLo + o - 1],
  );
  return mb.rowCount ?? 0;
}
