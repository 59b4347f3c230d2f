import pg from "pg";

export interface RunSample {
  /** Real generated manifests of the run (up to `limit`), to insert and sign in the limit measurements. */
  manifests: string[];
  /** manifestblob rows per manifest row the run wrote. */
  blobsPerManifest: number;
}

/** Reads what the limits need from a database a backfill pass has just filled. */
export async function readRunSample(url: string, limit = 500): Promise<RunSample> {
  const client = new pg.Client({ connectionString: url, application_name: "backfill-bench" });
  await client.connect();
  try {
    const manifests = await client.query<{ b: string }>(
      `SELECT manifest_bytes AS b FROM manifest WHERE manifest_bytes LIKE '%"signatures"%'
        ORDER BY id LIMIT $1`,
      [limit],
    );
    const mix = await client.query<{ blobs: string; manifests: string }>(
      "SELECT (SELECT count(*) FROM manifestblob) AS blobs, (SELECT count(*) FROM manifest) AS manifests",
    );
    const row = mix.rows[0];
    const blobsPerManifest = row && Number(row.manifests) > 0 ? Number(row.blobs) / Number(row.manifests) : 1;
    return { manifests: manifests.rows.map((r) => r.b), blobsPerManifest };
  } finally {
    await client.end();
  }
}
