import { createHash, generateKeyPairSync } from "node:crypto";
import type { Kysely } from "kysely";
import { buildSchema1 } from "../../src/manifest/build-schema1.js";
import { MEDIA_TYPES } from "../../src/manifest/media-types.js";
import { schema1Digest } from "../../src/manifest/schema1-digest.js";
import { signSchema1 } from "../../src/manifest/sign-schema1.js";
import { createSigner, type Signer } from "../../src/manifest/signer.js";
import type { Database } from "../../src/db/tables.js";

/**
 * A small registry mapped by hand exactly as docs/domain-rules.md says, for verify's tests: one repository, a
 * base and a leaf image, signed manifests generated with a key made at test time, a broken placeholder
 * mapping, and a hidden (never mapped) tag. Written row by row, independent of the batch core.
 */
export const NAMESPACE = "devtable";
export const REPOSITORY = "simple";
const hex = (text: string): string => createHash("sha256").update(text).digest("hex");
export const BASE_ID = hex("base image");
export const LEAF_ID = hex("leaf image");
const BASE_JSON = `{"id":"${BASE_ID}","created":"2016-03-01T11:00:00Z","container_config":{"Cmd":["/bin/sh","-c","#(nop) ADD file:abc in /"]},"Size":100}`;
const LEAF_JSON = `{"id":"${LEAF_ID}","parent":"${BASE_ID}","created":"2016-03-01T12:00:00Z","container_config":{"Cmd":["/bin/sh","-c","echo hi"],"Image":"${BASE_ID}"},"Size":12}`;

export interface MappedTagRows {
  repositoryTagId: number;
  tagId: number;
  tagManifestId: number;
  manifestId: number;
  mappingId: number;
  bytes: string;
  digest: string;
}

export interface MappedDataset {
  signer: Signer;
  repositoryId: number;
  baseImageId: number;
  leafImageId: number;
  baseStorageId: number;
  leafStorageId: number;
  /** A storage of the repository that no manifest of the dataset references. */
  strayStorageId: number;
  tags: Map<string, MappedTagRows>;
  brokenTag: MappedTagRows;
  runId: string;
}

export function testSigner(): Signer {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return createSigner(privateKey);
}

export async function buildMappedDataset(
  db: Kysely<Database>,
  options: { tagNames?: readonly string[]; signer?: Signer } = {},
): Promise<MappedDataset> {
  const signer = options.signer ?? testSigner();
  const id = <T extends { id: number | string }>(row: T): T["id"] => row.id;
  const mediaType = async (name: string) =>
    id(await db.selectFrom("mediatype").select("id").where("name", "=", name).executeTakeFirstOrThrow());
  const signedType = await mediaType(MEDIA_TYPES.schema1Signed);
  const tagKind = id(
    await db.selectFrom("tagkind").select("id").where("name", "=", "tag").executeTakeFirstOrThrow(),
  );
  const visibility = id(await db.selectFrom("visibility").select("id").limit(1).executeTakeFirstOrThrow());
  const kind = id(
    await db.selectFrom("repositorykind").select("id").where("name", "=", "image").executeTakeFirstOrThrow(),
  );

  const userId = id(
    await db
      .insertInto("user")
      .values({ username: NAMESPACE, email: "devtable@example.com" })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  const repositoryId = id(
    await db
      .insertInto("repository")
      .values({
        namespace_user_id: userId,
        name: REPOSITORY,
        visibility_id: visibility,
        badge_token: "x",
        kind_id: kind,
      })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  const storage = async (uuid: string, checksum: string, uploading = false) =>
    id(
      await db
        .insertInto("imagestorage")
        .values({ uuid, content_checksum: checksum, uploading, image_size: 10 })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
  const baseSum = `sha256:${hex("base layer")}`;
  const leafSum = `sha256:${hex("leaf layer")}`;
  const baseStorageId = await storage("base", baseSum);
  const leafStorageId = await storage("leaf", leafSum);
  const strayStorageId = await storage("stray", `sha256:${hex("stray layer")}`);
  const uploadingStorageId = await storage("uploading", `sha256:${hex("uploading layer")}`, true);
  const image = async (dockerId: string, ancestors: string, storageId: number, json: string) =>
    id(
      await db
        .insertInto("image")
        .values({
          docker_image_id: dockerId,
          repository_id: repositoryId,
          ancestors,
          storage_id: storageId,
          v1_json_metadata: json,
        })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
  const baseImageId = await image(BASE_ID, "/", baseStorageId, BASE_JSON);
  const leafImageId = await image(LEAF_ID, `/${baseImageId}/`, leafStorageId, LEAF_JSON);
  await image(hex("stray image"), "/", strayStorageId, `{"id":"${hex("stray image")}"}`);
  const brokenImageId = await image(
    hex("broken image"),
    "/",
    uploadingStorageId,
    `{"id":"${hex("broken image")}"}`,
  );

  const runId = id(
    await db
      .insertInto("backfill.run")
      .values({
        kind: "backfill",
        status: "completed",
        target: "all",
        batch_size: 100,
        filters: "{}",
        options: "{}",
        started_by: "{}",
        config: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );

  const mapTag = async (
    name: string,
    imageId: number,
    startTs: number,
    endTs: number | null,
    manifest: (repositoryTagId: number) => Promise<{ bytes: string; digest: string; broken: boolean }>,
  ): Promise<MappedTagRows> => {
    const repositoryTagId = id(
      await db
        .insertInto("repositorytag")
        .values({
          name,
          image_id: imageId,
          repository_id: repositoryId,
          lifetime_start_ts: startTs,
          lifetime_end_ts: endTs,
        })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    const { bytes, digest, broken } = await manifest(repositoryTagId);
    const tagManifestId = id(
      await db
        .insertInto("tagmanifest")
        .values({ tag_id: repositoryTagId, digest, json_data: bytes })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    const manifestId = id(
      await db
        .insertInto("manifest")
        .values({ repository_id: repositoryId, digest, media_type_id: signedType, manifest_bytes: bytes })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    if (!broken) {
      await db
        .insertInto("manifestblob")
        .values([
          { repository_id: repositoryId, manifest_id: manifestId, blob_id: leafStorageId },
          { repository_id: repositoryId, manifest_id: manifestId, blob_id: baseStorageId },
        ])
        .execute();
      await db
        .insertInto("manifestlegacyimage")
        .values({ repository_id: repositoryId, manifest_id: manifestId, image_id: imageId })
        .execute();
    }
    const mappingId = id(
      await db
        .insertInto("tagmanifesttomanifest")
        .values({ tag_manifest_id: tagManifestId, manifest_id: manifestId, broken })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    const tagId = id(
      await db
        .insertInto("tag")
        .values({
          name,
          repository_id: repositoryId,
          manifest_id: manifestId,
          lifetime_start_ms: startTs * 1000,
          lifetime_end_ms: endTs === null ? null : endTs * 1000,
          tag_kind_id: tagKind,
        })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    await db
      .insertInto("tagtorepositorytag")
      .values({ repository_id: repositoryId, tag_id: tagId, repository_tag_id: repositoryTagId })
      .execute();
    await db
      .insertInto("backfill.tag_outcome")
      .values({
        repository_tag_id: repositoryTagId,
        run_id: runId,
        outcome: broken ? "backfilled_broken" : "backfilled",
        reason: broken ? "uploading_storage" : null,
        detail: null,
        manifest_digest: digest,
      })
      .execute();
    return { repositoryTagId, tagId, tagManifestId, manifestId, mappingId, bytes, digest };
  };

  const tags = new Map<string, MappedTagRows>();
  const names = options.tagNames ?? ["latest", "old"];
  for (const [index, name] of names.entries()) {
    const startTs = 1_500_000_000 + index;
    const endTs = name === "old" ? 1_600_000_000 : null;
    tags.set(
      name,
      await mapTag(name, leafImageId, startTs, endTs, async () => {
        const payload = buildSchema1({
          name: `${NAMESPACE}/${REPOSITORY}`,
          tag: name,
          layers: [
            { blobSum: leafSum, v1Compatibility: LEAF_JSON },
            { blobSum: baseSum, v1Compatibility: BASE_JSON },
          ],
        });
        const bytes = await signSchema1(payload, signer, new Date(startTs * 1000));
        return { bytes, digest: schema1Digest(bytes), broken: false };
      }),
    );
  }
  const brokenTag = await mapTag("broken", brokenImageId, 1_500_000_100, null, (rtId) =>
    Promise.resolve({ bytes: "{}", digest: `BROKEN-${rtId}`, broken: true }),
  );
  await db
    .insertInto("repositorytag")
    .values({
      name: "push-temp",
      image_id: leafImageId,
      repository_id: repositoryId,
      lifetime_start_ts: 1,
      lifetime_end_ts: 2,
      hidden: true,
    })
    .execute();
  return {
    signer,
    repositoryId,
    baseImageId,
    leafImageId,
    baseStorageId,
    leafStorageId,
    strayStorageId,
    tags,
    brokenTag,
    runId,
  };
}
