import { sql, type Kysely } from "kysely";

/**
 * Quay's tables, as its peewee models and alembic migrations create them on PostgreSQL (names, column
 * types, unique indexes). Each table is created together with its indexes only when the table is absent,
 * so pointed at a real Quay database this migration changes nothing of Quay's.
 */
const TABLES: readonly { name: string; ddl: string[] }[] = [
  {
    name: "user",
    ddl: [
      `CREATE TABLE "user" (
        id serial PRIMARY KEY,
        uuid character varying(36),
        username character varying(255) NOT NULL,
        email character varying(255) NOT NULL,
        verified boolean NOT NULL DEFAULT false,
        organization boolean NOT NULL DEFAULT false,
        robot boolean NOT NULL DEFAULT false,
        enabled boolean NOT NULL DEFAULT true,
        creation_date timestamp without time zone NOT NULL DEFAULT now()
      )`,
      `CREATE UNIQUE INDEX user_username ON "user" (username)`,
      `CREATE UNIQUE INDEX user_email ON "user" (email)`,
      `CREATE INDEX user_organization ON "user" (organization)`,
      `CREATE INDEX user_robot ON "user" (robot)`,
    ],
  },
  {
    name: "visibility",
    ddl: [
      `CREATE TABLE visibility (id serial PRIMARY KEY, name character varying(255) NOT NULL)`,
      `CREATE UNIQUE INDEX visibility_name ON visibility (name)`,
    ],
  },
  {
    name: "repositorykind",
    ddl: [
      `CREATE TABLE repositorykind (id serial PRIMARY KEY, name character varying(255) NOT NULL)`,
      `CREATE UNIQUE INDEX repositorykind_name ON repositorykind (name)`,
    ],
  },
  {
    name: "repository",
    ddl: [
      `CREATE TABLE repository (
        id serial PRIMARY KEY,
        namespace_user_id integer REFERENCES "user" (id),
        name character varying(255) NOT NULL,
        visibility_id integer NOT NULL REFERENCES visibility (id),
        description text,
        badge_token character varying(255) NOT NULL,
        kind_id integer NOT NULL REFERENCES repositorykind (id),
        trust_enabled boolean NOT NULL DEFAULT false,
        state integer NOT NULL DEFAULT 0
      )`,
      `CREATE UNIQUE INDEX repository_namespace_user_id_name ON repository (namespace_user_id, name)`,
      `CREATE INDEX repository_namespace_user_id ON repository (namespace_user_id)`,
      `CREATE INDEX repository_visibility_id ON repository (visibility_id)`,
      `CREATE INDEX repository_kind_id ON repository (kind_id)`,
      `CREATE INDEX repository_state ON repository (state)`,
    ],
  },
  {
    name: "imagestorage",
    ddl: [
      `CREATE TABLE imagestorage (
        id serial PRIMARY KEY,
        uuid character varying(255) NOT NULL,
        image_size bigint,
        uncompressed_size bigint,
        uploading boolean DEFAULT true,
        cas_path boolean NOT NULL DEFAULT true,
        content_checksum character varying(255)
      )`,
      `CREATE UNIQUE INDEX imagestorage_uuid ON imagestorage (uuid)`,
      `CREATE INDEX imagestorage_content_checksum ON imagestorage (content_checksum)`,
    ],
  },
  {
    name: "image",
    ddl: [
      `CREATE TABLE image (
        id serial PRIMARY KEY,
        docker_image_id character varying(255) NOT NULL,
        repository_id integer NOT NULL REFERENCES repository (id),
        ancestors character varying(60535),
        storage_id integer REFERENCES imagestorage (id),
        created timestamp without time zone,
        comment text,
        command text,
        aggregate_size bigint,
        v1_json_metadata text,
        v1_checksum character varying(255),
        security_indexed boolean NOT NULL DEFAULT false,
        security_indexed_engine integer NOT NULL DEFAULT -1,
        parent_id integer
      )`,
      `CREATE UNIQUE INDEX image_repository_id_docker_image_id ON image (repository_id, docker_image_id)`,
      `CREATE INDEX image_docker_image_id ON image (docker_image_id)`,
      `CREATE INDEX image_repository_id ON image (repository_id)`,
      `CREATE INDEX image_storage_id ON image (storage_id)`,
      `CREATE INDEX image_ancestors ON image (ancestors varchar_pattern_ops)`,
      `CREATE INDEX image_parent_id ON image (parent_id)`,
      `CREATE INDEX image_security_indexed_engine_security_indexed ON image (security_indexed_engine, security_indexed)`,
    ],
  },
  {
    name: "repositorytag",
    ddl: [
      `CREATE TABLE repositorytag (
        id serial PRIMARY KEY,
        name character varying(255) NOT NULL,
        image_id integer NOT NULL REFERENCES image (id),
        repository_id integer NOT NULL REFERENCES repository (id),
        lifetime_start_ts integer NOT NULL DEFAULT 0,
        lifetime_end_ts integer,
        hidden boolean NOT NULL DEFAULT false,
        reversion boolean NOT NULL DEFAULT false
      )`,
      `CREATE UNIQUE INDEX repositorytag_repository_id_name_lifetime_end_ts ON repositorytag (repository_id, name, lifetime_end_ts)`,
      `CREATE INDEX repositorytag_repository_id_name ON repositorytag (repository_id, name)`,
      `CREATE INDEX repositorytag_repository_id_lifetime_end_ts ON repositorytag (repository_id, lifetime_end_ts)`,
      `CREATE INDEX repositorytag_image_id ON repositorytag (image_id)`,
      `CREATE INDEX repositorytag_lifetime_end_ts ON repositorytag (lifetime_end_ts)`,
    ],
  },
  {
    name: "tagmanifest",
    ddl: [
      `CREATE TABLE tagmanifest (
        id serial PRIMARY KEY,
        tag_id integer NOT NULL REFERENCES repositorytag (id),
        digest character varying(255) NOT NULL,
        json_data text NOT NULL
      )`,
      `CREATE UNIQUE INDEX tagmanifest_tag_id ON tagmanifest (tag_id)`,
      `CREATE INDEX tagmanifest_digest ON tagmanifest (digest)`,
    ],
  },
  {
    name: "mediatype",
    ddl: [
      `CREATE TABLE mediatype (id serial PRIMARY KEY, name character varying(255) NOT NULL)`,
      `CREATE UNIQUE INDEX mediatype_name ON mediatype (name)`,
    ],
  },
  {
    name: "labelsourcetype",
    ddl: [
      `CREATE TABLE labelsourcetype (
        id serial PRIMARY KEY,
        name character varying(255) NOT NULL,
        mutable boolean NOT NULL DEFAULT false
      )`,
      `CREATE UNIQUE INDEX labelsourcetype_name ON labelsourcetype (name)`,
    ],
  },
  {
    name: "label",
    ddl: [
      `CREATE TABLE label (
        id serial PRIMARY KEY,
        uuid character varying(255) NOT NULL,
        key character varying(255) NOT NULL,
        value text NOT NULL,
        media_type_id integer NOT NULL REFERENCES mediatype (id),
        source_type_id integer NOT NULL REFERENCES labelsourcetype (id)
      )`,
      `CREATE UNIQUE INDEX label_uuid ON label (uuid)`,
      `CREATE INDEX label_key ON label (key)`,
      `CREATE INDEX label_media_type_id ON label (media_type_id)`,
      `CREATE INDEX label_source_type_id ON label (source_type_id)`,
    ],
  },
  {
    name: "tagmanifestlabel",
    ddl: [
      `CREATE TABLE tagmanifestlabel (
        id serial PRIMARY KEY,
        repository_id integer NOT NULL REFERENCES repository (id),
        annotated_id integer NOT NULL REFERENCES tagmanifest (id),
        label_id integer NOT NULL REFERENCES label (id)
      )`,
      `CREATE UNIQUE INDEX tagmanifestlabel_annotated_id_label_id ON tagmanifestlabel (annotated_id, label_id)`,
      `CREATE INDEX tagmanifestlabel_repository_id ON tagmanifestlabel (repository_id)`,
      `CREATE INDEX tagmanifestlabel_annotated_id ON tagmanifestlabel (annotated_id)`,
      `CREATE INDEX tagmanifestlabel_label_id ON tagmanifestlabel (label_id)`,
    ],
  },
  {
    name: "tagkind",
    ddl: [
      `CREATE TABLE tagkind (id serial PRIMARY KEY, name character varying(255) NOT NULL)`,
      `CREATE UNIQUE INDEX tagkind_name ON tagkind (name)`,
    ],
  },
  {
    name: "manifest",
    ddl: [
      `CREATE TABLE manifest (
        id serial PRIMARY KEY,
        repository_id integer NOT NULL REFERENCES repository (id),
        digest character varying(255) NOT NULL,
        media_type_id integer NOT NULL REFERENCES mediatype (id),
        manifest_bytes text NOT NULL,
        config_media_type character varying(255),
        layers_compressed_size bigint
      )`,
      `CREATE UNIQUE INDEX manifest_repository_id_digest ON manifest (repository_id, digest)`,
      `CREATE INDEX manifest_digest ON manifest (digest)`,
      `CREATE INDEX manifest_repository_id ON manifest (repository_id)`,
      `CREATE INDEX manifest_media_type_id ON manifest (media_type_id)`,
      `CREATE INDEX manifest_repository_id_media_type_id ON manifest (repository_id, media_type_id)`,
    ],
  },
  {
    name: "manifestblob",
    ddl: [
      `CREATE TABLE manifestblob (
        id serial PRIMARY KEY,
        repository_id integer NOT NULL REFERENCES repository (id),
        manifest_id integer NOT NULL REFERENCES manifest (id),
        blob_id integer NOT NULL REFERENCES imagestorage (id)
      )`,
      `CREATE UNIQUE INDEX manifestblob_manifest_id_blob_id ON manifestblob (manifest_id, blob_id)`,
      `CREATE INDEX manifestblob_repository_id ON manifestblob (repository_id)`,
      `CREATE INDEX manifestblob_manifest_id ON manifestblob (manifest_id)`,
      `CREATE INDEX manifestblob_blob_id ON manifestblob (blob_id)`,
    ],
  },
  {
    name: "manifestlegacyimage",
    ddl: [
      `CREATE TABLE manifestlegacyimage (
        id serial PRIMARY KEY,
        repository_id integer NOT NULL REFERENCES repository (id),
        manifest_id integer NOT NULL REFERENCES manifest (id),
        image_id integer NOT NULL REFERENCES image (id)
      )`,
      `CREATE UNIQUE INDEX manifestlegacyimage_manifest_id ON manifestlegacyimage (manifest_id)`,
      `CREATE INDEX manifestlegacyimage_repository_id ON manifestlegacyimage (repository_id)`,
      `CREATE INDEX manifestlegacyimage_image_id ON manifestlegacyimage (image_id)`,
    ],
  },
  {
    name: "manifestchild",
    ddl: [
      `CREATE TABLE manifestchild (
        id serial PRIMARY KEY,
        repository_id integer NOT NULL REFERENCES repository (id),
        manifest_id integer NOT NULL REFERENCES manifest (id),
        child_manifest_id integer NOT NULL REFERENCES manifest (id)
      )`,
      `CREATE UNIQUE INDEX manifestchild_manifest_id_child_manifest_id ON manifestchild (manifest_id, child_manifest_id)`,
      `CREATE INDEX manifestchild_repository_id ON manifestchild (repository_id)`,
      `CREATE INDEX manifestchild_manifest_id ON manifestchild (manifest_id)`,
      `CREATE INDEX manifestchild_child_manifest_id ON manifestchild (child_manifest_id)`,
      `CREATE INDEX manifestchild_repository_id_manifest_id ON manifestchild (repository_id, manifest_id)`,
      `CREATE INDEX manifestchild_repository_id_child_manifest_id ON manifestchild (repository_id, child_manifest_id)`,
      `CREATE INDEX manifestchild_repository_id_manifest_id_child_manifest_id ON manifestchild (repository_id, manifest_id, child_manifest_id)`,
    ],
  },
  {
    name: "manifestlabel",
    ddl: [
      `CREATE TABLE manifestlabel (
        id serial PRIMARY KEY,
        repository_id integer NOT NULL REFERENCES repository (id),
        manifest_id integer NOT NULL REFERENCES manifest (id),
        label_id integer NOT NULL REFERENCES label (id)
      )`,
      `CREATE UNIQUE INDEX manifestlabel_manifest_id_label_id ON manifestlabel (manifest_id, label_id)`,
      `CREATE INDEX manifestlabel_repository_id ON manifestlabel (repository_id)`,
      `CREATE INDEX manifestlabel_manifest_id ON manifestlabel (manifest_id)`,
      `CREATE INDEX manifestlabel_label_id ON manifestlabel (label_id)`,
    ],
  },
  {
    name: "tag",
    ddl: [
      `CREATE TABLE tag (
        id serial PRIMARY KEY,
        name character varying(255) NOT NULL,
        repository_id integer NOT NULL REFERENCES repository (id),
        manifest_id integer REFERENCES manifest (id),
        lifetime_start_ms bigint NOT NULL,
        lifetime_end_ms bigint,
        immutable boolean NOT NULL DEFAULT false,
        hidden boolean NOT NULL DEFAULT false,
        reversion boolean NOT NULL DEFAULT false,
        tag_kind_id integer NOT NULL REFERENCES tagkind (id),
        linked_tag_id integer REFERENCES tag (id)
      )`,
      `CREATE UNIQUE INDEX tag_repository_id_name_lifetime_end_ms ON tag (repository_id, name, lifetime_end_ms)`,
      `CREATE INDEX tag_repository_id ON tag (repository_id)`,
      `CREATE INDEX tag_manifest_id ON tag (manifest_id)`,
      `CREATE INDEX tag_lifetime_end_ms ON tag (lifetime_end_ms)`,
      `CREATE INDEX tag_tag_kind_id ON tag (tag_kind_id)`,
      `CREATE INDEX tag_linked_tag_id ON tag (linked_tag_id)`,
      `CREATE INDEX tag_repository_id_name ON tag (repository_id, name)`,
      `CREATE INDEX tag_repository_id_name_hidden ON tag (repository_id, name, hidden)`,
      `CREATE INDEX tag_repository_id_name_tag_kind_id ON tag (repository_id, name, tag_kind_id)`,
      `CREATE INDEX tag_repository_id_lifetime_start_ms ON tag (repository_id, lifetime_start_ms)`,
      `CREATE INDEX tag_repository_id_lifetime_end_ms ON tag (repository_id, lifetime_end_ms)`,
    ],
  },
  {
    name: "tagmanifesttomanifest",
    ddl: [
      `CREATE TABLE tagmanifesttomanifest (
        id serial PRIMARY KEY,
        tag_manifest_id integer NOT NULL REFERENCES tagmanifest (id),
        manifest_id integer NOT NULL REFERENCES manifest (id),
        broken boolean NOT NULL DEFAULT false
      )`,
      `CREATE UNIQUE INDEX tagmanifesttomanifest_tag_manifest_id ON tagmanifesttomanifest (tag_manifest_id)`,
      `CREATE INDEX tagmanifesttomanifest_manifest_id ON tagmanifesttomanifest (manifest_id)`,
      `CREATE INDEX tagmanifesttomanifest_broken ON tagmanifesttomanifest (broken)`,
    ],
  },
  {
    name: "tagtorepositorytag",
    ddl: [
      `CREATE TABLE tagtorepositorytag (
        id serial PRIMARY KEY,
        repository_id integer NOT NULL REFERENCES repository (id),
        tag_id integer NOT NULL REFERENCES tag (id),
        repository_tag_id integer NOT NULL REFERENCES repositorytag (id)
      )`,
      `CREATE UNIQUE INDEX tagtorepositorytag_tag_id ON tagtorepositorytag (tag_id)`,
      `CREATE UNIQUE INDEX tagtorepositorytag_repository_tag_id ON tagtorepositorytag (repository_tag_id)`,
      `CREATE INDEX tagtorepositorytag_repository_id ON tagtorepositorytag (repository_id)`,
    ],
  },
  {
    name: "tagmanifestlabelmap",
    ddl: [
      `CREATE TABLE tagmanifestlabelmap (
        id serial PRIMARY KEY,
        tag_manifest_id integer NOT NULL REFERENCES tagmanifest (id),
        manifest_id integer REFERENCES manifest (id),
        label_id integer NOT NULL REFERENCES label (id),
        tag_manifest_label_id integer NOT NULL REFERENCES tagmanifestlabel (id),
        manifest_label_id integer REFERENCES manifestlabel (id),
        broken_manifest boolean NOT NULL DEFAULT false
      )`,
      `CREATE INDEX tagmanifestlabelmap_tag_manifest_id ON tagmanifestlabelmap (tag_manifest_id)`,
      `CREATE INDEX tagmanifestlabelmap_manifest_id ON tagmanifestlabelmap (manifest_id)`,
      `CREATE INDEX tagmanifestlabelmap_label_id ON tagmanifestlabelmap (label_id)`,
      `CREATE INDEX tagmanifestlabelmap_tag_manifest_label_id ON tagmanifestlabelmap (tag_manifest_label_id)`,
      `CREATE INDEX tagmanifestlabelmap_manifest_label_id ON tagmanifestlabelmap (manifest_label_id)`,
      `CREATE INDEX tagmanifestlabelmap_broken_manifest ON tagmanifestlabelmap (broken_manifest)`,
    ],
  },
];

/** Every media type the parser meets; Quay resolves them by name, never by id. */
export const MEDIA_TYPES = [
  "text/plain",
  "application/json",
  "text/markdown",
  "application/vnd.docker.distribution.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
] as const;

const ENUM_ROWS: Record<string, readonly string[]> = {
  mediatype: MEDIA_TYPES,
  tagkind: ["tag"],
  visibility: ["public", "private"],
  repositorykind: ["image", "application"],
  labelsourcetype: ["manifest", "api", "internal"],
};

async function tableExists(db: Kysely<unknown>, name: string): Promise<boolean> {
  const result = await sql<{
    found: string | null;
  }>`SELECT to_regclass(${`public."${name}"`})::text AS found`.execute(db);
  return result.rows[0]?.found != null;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    if (await tableExists(db, table.name)) continue;
    for (const statement of table.ddl) await sql.raw(statement).execute(db);
  }
  for (const [table, names] of Object.entries(ENUM_ROWS)) {
    for (const name of names) {
      await sql`INSERT INTO ${sql.table(table)} (name) SELECT ${name} WHERE NOT EXISTS (SELECT 1 FROM ${sql.table(table)} WHERE name = ${name})`.execute(
        db,
      );
    }
  }
}

// Quay's tables are Quay's: rolling back this project never drops them.
export async function down(): Promise<void> {}
