import { sql, type Kysely } from "kysely";
import { buildSchema1 } from "../../src/manifest/build-schema1.js";
import { schema1Digest } from "../../src/manifest/schema1-digest.js";
import { signSchema1 } from "../../src/manifest/sign-schema1.js";
import { loadSigner } from "../../src/manifest/signer.js";
import type { Database } from "../../src/db/tables.js";
import { blobSum, LegacyFixtures, v1Id, v1Json, type ImageRow } from "./batch-fixtures.js";
import { testKeyPem } from "./batch-harness.js";

/** Ids of parent images that are missing at first and inserted by `fixInPlace`. */
const PARENT_A = 900001;
const PARENT_B = 900002;

export type ReprocessIds = Record<string, number>;

/**
 * Two repositories of legacy data for reprocess: `devtable/app` with seeded defects that `fixInPlace`
 * repairs in the legacy rows (missing parents, an uploading storage, invalid v1 JSON, an unreadable stored
 * manifest with a label, a stored manifest's blob found nowhere), and `devtable/other` with rows
 * reprocess must refuse to repair (twins sharing one manifest, tag manifests edited to another payload).
 */
export async function buildReprocessData(db: Kysely<Database>): Promise<ReprocessIds> {
  const f = new LegacyFixtures(db);
  const ids: ReprocessIds = {};
  const app = await f.repository("devtable", "app");
  const other = await f.repository("devtable", "other");
  ids.app = app;
  ids.other = other;

  const clean = await f.chain(app, "clean", [{}, {}]);
  ids.clean = await f.tag(app, "clean", clean[1]!.id, { start: 1500000000 });
  const legacyGone = await f.chain(app, "legacy-gone", [{}]);
  ids.legacyGone = await f.tag(app, "legacy-gone", legacyGone[0]!.id);

  // A leaf whose parent row is missing; its own v1 id is invalid, so the fixed manifest rewrites it.
  const orphan = await f.image(
    app,
    "not-a-valid-leaf-id",
    null,
    await f.storage(blobSum("mp/1")),
    v1Json("not-a-valid-leaf-id", v1Id("mp/0")),
    `/${PARENT_A}/`,
  );
  ids.missingParent = await f.tag(app, "missing-parent", orphan.id);
  const uploading = await f.chain(app, "uploading", [{ uploading: true }, {}]);
  ids.uploading = await f.tag(app, "uploading", uploading[1]!.id);
  ids.uploadingStorage = uploading[0]!.storageId!;
  const badJson = await f.chain(app, "badjson", [{ json: "{not json" }]);
  ids.badJson = await f.tag(app, "bad-json", badJson[0]!.id);
  ids.badJsonImage = badJson[0]!.id;

  const stored = await f.chain(app, "stored", [{}, {}]);
  const storedLayers = layersOf(stored, "stored");
  ids.stored = await f.tag(app, "stored", stored[1]!.id);
  const storedJson = await signed("devtable/app", "stored", storedLayers, 1);
  ids.storedTm = await f.tagManifest(ids.stored, storedJson, schema1Digest(storedJson));
  // Unreadable stored manifest with a label: placeholder first, the real one once json_data is fixed.
  ids.corrupt = await f.tag(app, "corrupt-stored", stored[1]!.id, { start: 1500000100 });
  ids.corruptTm = await f.tagManifest(ids.corrupt, '{"schemaVersion": 1, cut', "sha256:c");
  await f.label(app, ids.corruptTm, "maintainer", "me");
  // A stored manifest naming a blob found nowhere: mapped broken (missing_blob) until the blob appears.
  const lostSum = blobSum("lost");
  const lostJson = buildSchema1({
    name: "devtable/app",
    tag: "lost-blob",
    layers: [{ blobSum: lostSum, v1Compatibility: v1Json(stored[0]!.dockerId, null) }],
  });
  ids.missingBlob = await f.tag(app, "lost-blob", stored[0]!.id);
  await f.tagManifest(ids.missingBlob, lostJson, schema1Digest(lostJson));
  // A placeholder another tag row points at: repaired, but never deleted.
  const pinned = await f.image(
    app,
    v1Id("pin/1"),
    null,
    await f.storage(blobSum("pin/1")),
    v1Json(v1Id("pin/1"), v1Id("pin/0")),
    `/${PARENT_B}/`,
  );
  ids.pinnedPlaceholder = await f.tag(app, "pinned-placeholder", pinned.id);

  // devtable/other: two stored manifests of one payload signed at different times (one manifest row).
  const twin = await f.chain(other, "twin", [{}]);
  const twinLayers = layersOf(twin, "twin");
  const twinJson = [1, 2].map((year) => signed("devtable/other", "twin", twinLayers, year));
  ids.twinA = await f.tag(other, "twin-a", twin[0]!.id);
  await f.tagManifest(ids.twinA, await twinJson[0]!, schema1Digest(await twinJson[0]!));
  ids.twinB = await f.tag(other, "twin-b", twin[0]!.id);
  await f.tagManifest(ids.twinB, await twinJson[1]!, schema1Digest(await twinJson[1]!));
  const moved = await f.chain(other, "moved", [{}]);
  ids.liveMoved = await f.tag(other, "live-moved", moved[0]!.id);
  ids.deadMoved = await f.tag(other, "dead-moved", moved[0]!.id, { start: 1000, end: 1600000000 });
  return ids;
}

/**
 * The operator's fixes, in place: the missing parents inserted, the storage finished uploading, the v1
 * JSON repaired, the stored manifest's json_data made readable, the lost blob uploaded.
 */
export async function fixInPlace(db: Kysely<Database>, ids: ReprocessIds): Promise<void> {
  const f = new LegacyFixtures(db);
  for (const [id, seed, pinnedRepo] of [
    [PARENT_A, "mp/0", ids.app],
    [PARENT_B, "pin/0", ids.app],
  ] as const) {
    const storage = await f.storage(blobSum(seed));
    await sql`INSERT INTO image (id, docker_image_id, repository_id, ancestors, storage_id, v1_json_metadata,
                                 created, aggregate_size)
              VALUES (${id}, ${v1Id(seed)}, ${pinnedRepo}, '/', ${storage}, ${v1Json(v1Id(seed), null)},
                      '2016-03-01T12:00:00Z', 100)`.execute(db);
  }
  await sql`UPDATE imagestorage SET uploading = false WHERE id = ${ids.uploadingStorage}`.execute(db);
  const image = await db
    .selectFrom("image")
    .select("docker_image_id")
    .where("id", "=", ids.badJsonImage!)
    .executeTakeFirstOrThrow();
  await sql`UPDATE image SET v1_json_metadata = ${v1Json(image.docker_image_id, null)}
            WHERE id = ${ids.badJsonImage}`.execute(db);
  const storedJson = await db
    .selectFrom("tagmanifest")
    .select(["json_data", "digest"])
    .where("id", "=", ids.storedTm!)
    .executeTakeFirstOrThrow();
  await sql`UPDATE tagmanifest SET json_data = ${storedJson.json_data}, digest = ${storedJson.digest}
            WHERE id = ${ids.corruptTm}`.execute(db);
  await f.image(
    ids.app!,
    v1Id("lost-holder"),
    null,
    await f.storage(blobSum("lost")),
    v1Json(v1Id("lost-holder"), null),
  );
}

/** Rows the first backfill wrote, damaged: a blob row and a legacy image row deleted, bytes replaced. */
export async function damageMappings(db: Kysely<Database>, ids: ReprocessIds): Promise<void> {
  const manifestOf = async (rt: number) =>
    (
      await sql<{ id: number }>`
        SELECT l.manifest_id AS id FROM tagmanifest tm JOIN tagmanifesttomanifest l ON l.tag_manifest_id = tm.id
         WHERE tm.tag_id = ${rt}`.execute(db)
    ).rows[0]!.id;
  const clean = await manifestOf(ids.clean!);
  await sql`DELETE FROM manifestblob WHERE id = (SELECT min(id) FROM manifestblob WHERE manifest_id = ${clean})`.execute(
    db,
  );
  await sql`DELETE FROM manifestlegacyimage WHERE manifest_id = ${await manifestOf(ids.legacyGone!)}`.execute(
    db,
  );
  // The same payload signed at another time: same digest, other bytes than the tag manifest's.
  const stored = await db
    .selectFrom("tagmanifest")
    .select("json_data")
    .where("id", "=", ids.storedTm!)
    .executeTakeFirstOrThrow();
  const resigned = stored.json_data.replace(/"signatures"[\s\S]*$/, "").replace(/,\s*$/, "\n}");
  await sql`UPDATE manifest SET manifest_bytes = ${resigned} WHERE id = ${await manifestOf(ids.stored!)}`.execute(
    db,
  );
  // Tag manifests edited to another payload under live and dead tags: the digest would change.
  const other = buildSchema1({
    name: "devtable/other",
    tag: "elsewhere",
    layers: [{ blobSum: blobSum("moved/0"), v1Compatibility: v1Json(v1Id("moved/0"), null) }],
  });
  await sql`UPDATE tagmanifest SET json_data = ${other} WHERE tag_id IN (${ids.liveMoved}, ${ids.deadMoved})`.execute(
    db,
  );
}

function layersOf(chain: ImageRow[], seed: string) {
  return chain
    .map((image, index) => ({
      blobSum: blobSum(`${seed}/${index}`),
      v1Compatibility: v1Json(image.dockerId, index === 0 ? null : chain[index - 1]!.dockerId),
    }))
    .reverse();
}

async function signed(
  name: string,
  tag: string,
  layers: { blobSum: string; v1Compatibility: string }[],
  year: number,
): Promise<string> {
  return signSchema1(
    buildSchema1({ name, tag, layers }),
    loadSigner(testKeyPem()),
    new Date(Date.UTC(2016 + year, 0, 1)),
  );
}
