CREATE SCHEMA backfill;

CREATE TABLE backfill.batch (
    id bigint NOT NULL,
    run_id bigint NOT NULL,
    seq integer NOT NULL,
    lo bigint NOT NULL,
    hi bigint NOT NULL,
    tag_ids bigint[],
    status text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    lease_token uuid,
    lease_expires_at timestamp with time zone,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    timings jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    contended integer DEFAULT 0 NOT NULL,
    CONSTRAINT batch_check CHECK ((lo <= hi)),
    CONSTRAINT batch_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'done'::text, 'failed'::text])))
);

CREATE SEQUENCE backfill.batch_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE backfill.batch_id_seq OWNED BY backfill.batch.id;

CREATE TABLE backfill.kysely_migration (
    name character varying(255) NOT NULL,
    "timestamp" character varying(255) NOT NULL
);

CREATE TABLE backfill.kysely_migration_lock (
    id character varying(255) NOT NULL,
    is_locked integer DEFAULT 0 NOT NULL
);

CREATE TABLE backfill.run (
    id bigint NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    target text NOT NULL,
    filters jsonb DEFAULT '{}'::jsonb NOT NULL,
    options jsonb DEFAULT '{}'::jsonb NOT NULL,
    dry_run boolean DEFAULT false NOT NULL,
    batch_size integer NOT NULL,
    total_tags bigint,
    started_by jsonb DEFAULT '{}'::jsonb NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    throttle_reason text,
    throttled_since timestamp with time zone,
    throttled_ms bigint DEFAULT 0 NOT NULL,
    time_window text,
    time_zone text,
    max_replica_lag_s double precision,
    adaptive_state jsonb,
    contended_deliveries bigint DEFAULT 0 NOT NULL,
    target_batch_ms double precision,
    max_concurrency integer,
    nice_ratio double precision,
    CONSTRAINT run_batch_size_check CHECK ((batch_size > 0)),
    CONSTRAINT run_kind_check CHECK ((kind = ANY (ARRAY['backfill'::text, 'scheduled'::text, 'reprocess'::text]))),
    CONSTRAINT run_max_concurrency_positive CHECK ((max_concurrency > 0)),
    CONSTRAINT run_max_replica_lag_positive CHECK ((max_replica_lag_s > (0)::double precision)),
    CONSTRAINT run_nice_ratio_range CHECK (((nice_ratio >= (0)::double precision) AND (nice_ratio <= (100)::double precision))),
    CONSTRAINT run_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'paused'::text, 'cancelled'::text, 'completed'::text, 'failed'::text]))),
    CONSTRAINT run_target_batch_ms_range CHECK ((target_batch_ms >= (0)::double precision)),
    CONSTRAINT run_window_has_zone CHECK (((time_window IS NULL) = (time_zone IS NULL)))
);

CREATE TABLE backfill.run_event (
    id bigint NOT NULL,
    run_id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    from_status text,
    to_status text NOT NULL,
    actor text NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL
);

CREATE SEQUENCE backfill.run_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE backfill.run_event_id_seq OWNED BY backfill.run_event.id;

CREATE SEQUENCE backfill.run_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE backfill.run_id_seq OWNED BY backfill.run.id;

CREATE TABLE backfill.tag_outcome (
    repository_tag_id integer NOT NULL,
    run_id bigint NOT NULL,
    batch_id bigint,
    outcome text NOT NULL,
    reason text,
    detail text,
    rewritten_ids integer DEFAULT 0 NOT NULL,
    manifest_digest text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    reprocess text,
    reprocess_detail text,
    CONSTRAINT tag_outcome_outcome_check CHECK ((outcome = ANY (ARRAY['backfilled'::text, 'backfilled_broken'::text, 'skipped'::text, 'failed'::text]))),
    CONSTRAINT tag_outcome_reprocess_check CHECK ((reprocess = ANY (ARRAY['repaired'::text, 'unchanged'::text, 'refused'::text, 'failed'::text])))
);

CREATE TABLE backfill.throttle_switch (
    run_id bigint,
    reason text,
    actor text NOT NULL,
    set_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.image (
    id integer NOT NULL,
    docker_image_id character varying(255) NOT NULL,
    repository_id integer NOT NULL,
    ancestors character varying(60535),
    storage_id integer,
    created timestamp without time zone,
    comment text,
    command text,
    aggregate_size bigint,
    v1_json_metadata text,
    v1_checksum character varying(255),
    security_indexed boolean DEFAULT false NOT NULL,
    security_indexed_engine integer DEFAULT '-1'::integer NOT NULL,
    parent_id integer
);

CREATE SEQUENCE public.image_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.image_id_seq OWNED BY public.image.id;

CREATE TABLE public.imagestorage (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    image_size bigint,
    uncompressed_size bigint,
    uploading boolean DEFAULT true,
    cas_path boolean DEFAULT true NOT NULL,
    content_checksum character varying(255)
);

CREATE SEQUENCE public.imagestorage_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.imagestorage_id_seq OWNED BY public.imagestorage.id;

CREATE TABLE public.label (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    key character varying(255) NOT NULL,
    value text NOT NULL,
    media_type_id integer NOT NULL,
    source_type_id integer NOT NULL
);

CREATE SEQUENCE public.label_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.label_id_seq OWNED BY public.label.id;

CREATE TABLE public.labelsourcetype (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    mutable boolean DEFAULT false NOT NULL
);

CREATE SEQUENCE public.labelsourcetype_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.labelsourcetype_id_seq OWNED BY public.labelsourcetype.id;

CREATE TABLE public.manifest (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    digest character varying(255) NOT NULL,
    media_type_id integer NOT NULL,
    manifest_bytes text NOT NULL,
    config_media_type character varying(255),
    layers_compressed_size bigint
);

CREATE SEQUENCE public.manifest_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.manifest_id_seq OWNED BY public.manifest.id;

CREATE TABLE public.manifestblob (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer NOT NULL,
    blob_id integer NOT NULL
);

CREATE SEQUENCE public.manifestblob_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.manifestblob_id_seq OWNED BY public.manifestblob.id;

CREATE TABLE public.manifestchild (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer NOT NULL,
    child_manifest_id integer NOT NULL
);

CREATE SEQUENCE public.manifestchild_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.manifestchild_id_seq OWNED BY public.manifestchild.id;

CREATE TABLE public.manifestlabel (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer NOT NULL,
    label_id integer NOT NULL
);

CREATE SEQUENCE public.manifestlabel_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.manifestlabel_id_seq OWNED BY public.manifestlabel.id;

CREATE TABLE public.manifestlegacyimage (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer NOT NULL,
    image_id integer NOT NULL
);

CREATE SEQUENCE public.manifestlegacyimage_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.manifestlegacyimage_id_seq OWNED BY public.manifestlegacyimage.id;

CREATE TABLE public.mediatype (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

CREATE SEQUENCE public.mediatype_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.mediatype_id_seq OWNED BY public.mediatype.id;

CREATE TABLE public.repository (
    id integer NOT NULL,
    namespace_user_id integer,
    name character varying(255) NOT NULL,
    visibility_id integer NOT NULL,
    description text,
    badge_token character varying(255) NOT NULL,
    kind_id integer NOT NULL,
    trust_enabled boolean DEFAULT false NOT NULL,
    state integer DEFAULT 0 NOT NULL
);

CREATE SEQUENCE public.repository_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.repository_id_seq OWNED BY public.repository.id;

CREATE TABLE public.repositorykind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

CREATE SEQUENCE public.repositorykind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.repositorykind_id_seq OWNED BY public.repositorykind.id;

CREATE TABLE public.repositorytag (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    image_id integer NOT NULL,
    repository_id integer NOT NULL,
    lifetime_start_ts integer DEFAULT 0 NOT NULL,
    lifetime_end_ts integer,
    hidden boolean DEFAULT false NOT NULL,
    reversion boolean DEFAULT false NOT NULL
);

CREATE SEQUENCE public.repositorytag_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.repositorytag_id_seq OWNED BY public.repositorytag.id;

CREATE TABLE public.tag (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer,
    lifetime_start_ms bigint NOT NULL,
    lifetime_end_ms bigint,
    immutable boolean DEFAULT false NOT NULL,
    hidden boolean DEFAULT false NOT NULL,
    reversion boolean DEFAULT false NOT NULL,
    tag_kind_id integer NOT NULL,
    linked_tag_id integer
);

CREATE SEQUENCE public.tag_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tag_id_seq OWNED BY public.tag.id;

CREATE TABLE public.tagkind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

CREATE SEQUENCE public.tagkind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tagkind_id_seq OWNED BY public.tagkind.id;

CREATE TABLE public.tagmanifest (
    id integer NOT NULL,
    tag_id integer NOT NULL,
    digest character varying(255) NOT NULL,
    json_data text NOT NULL
);

CREATE SEQUENCE public.tagmanifest_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tagmanifest_id_seq OWNED BY public.tagmanifest.id;

CREATE TABLE public.tagmanifestlabel (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    annotated_id integer NOT NULL,
    label_id integer NOT NULL
);

CREATE SEQUENCE public.tagmanifestlabel_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tagmanifestlabel_id_seq OWNED BY public.tagmanifestlabel.id;

CREATE TABLE public.tagmanifestlabelmap (
    id integer NOT NULL,
    tag_manifest_id integer NOT NULL,
    manifest_id integer,
    label_id integer NOT NULL,
    tag_manifest_label_id integer NOT NULL,
    manifest_label_id integer,
    broken_manifest boolean DEFAULT false NOT NULL
);

CREATE SEQUENCE public.tagmanifestlabelmap_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tagmanifestlabelmap_id_seq OWNED BY public.tagmanifestlabelmap.id;

CREATE TABLE public.tagmanifesttomanifest (
    id integer NOT NULL,
    tag_manifest_id integer NOT NULL,
    manifest_id integer NOT NULL,
    broken boolean DEFAULT false NOT NULL
);

CREATE SEQUENCE public.tagmanifesttomanifest_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tagmanifesttomanifest_id_seq OWNED BY public.tagmanifesttomanifest.id;

CREATE TABLE public.tagtorepositorytag (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    tag_id integer NOT NULL,
    repository_tag_id integer NOT NULL
);

CREATE SEQUENCE public.tagtorepositorytag_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.tagtorepositorytag_id_seq OWNED BY public.tagtorepositorytag.id;

CREATE TABLE public."user" (
    id integer NOT NULL,
    uuid character varying(36),
    username character varying(255) NOT NULL,
    email character varying(255) NOT NULL,
    verified boolean DEFAULT false NOT NULL,
    organization boolean DEFAULT false NOT NULL,
    robot boolean DEFAULT false NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    creation_date timestamp without time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE public.user_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.user_id_seq OWNED BY public."user".id;

CREATE TABLE public.visibility (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

CREATE SEQUENCE public.visibility_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.visibility_id_seq OWNED BY public.visibility.id;

ALTER TABLE ONLY backfill.batch ALTER COLUMN id SET DEFAULT nextval('backfill.batch_id_seq'::regclass);

ALTER TABLE ONLY backfill.run ALTER COLUMN id SET DEFAULT nextval('backfill.run_id_seq'::regclass);

ALTER TABLE ONLY backfill.run_event ALTER COLUMN id SET DEFAULT nextval('backfill.run_event_id_seq'::regclass);

ALTER TABLE ONLY public.image ALTER COLUMN id SET DEFAULT nextval('public.image_id_seq'::regclass);

ALTER TABLE ONLY public.imagestorage ALTER COLUMN id SET DEFAULT nextval('public.imagestorage_id_seq'::regclass);

ALTER TABLE ONLY public.label ALTER COLUMN id SET DEFAULT nextval('public.label_id_seq'::regclass);

ALTER TABLE ONLY public.labelsourcetype ALTER COLUMN id SET DEFAULT nextval('public.labelsourcetype_id_seq'::regclass);

ALTER TABLE ONLY public.manifest ALTER COLUMN id SET DEFAULT nextval('public.manifest_id_seq'::regclass);

ALTER TABLE ONLY public.manifestblob ALTER COLUMN id SET DEFAULT nextval('public.manifestblob_id_seq'::regclass);

ALTER TABLE ONLY public.manifestchild ALTER COLUMN id SET DEFAULT nextval('public.manifestchild_id_seq'::regclass);

ALTER TABLE ONLY public.manifestlabel ALTER COLUMN id SET DEFAULT nextval('public.manifestlabel_id_seq'::regclass);

ALTER TABLE ONLY public.manifestlegacyimage ALTER COLUMN id SET DEFAULT nextval('public.manifestlegacyimage_id_seq'::regclass);

ALTER TABLE ONLY public.mediatype ALTER COLUMN id SET DEFAULT nextval('public.mediatype_id_seq'::regclass);

ALTER TABLE ONLY public.repository ALTER COLUMN id SET DEFAULT nextval('public.repository_id_seq'::regclass);

ALTER TABLE ONLY public.repositorykind ALTER COLUMN id SET DEFAULT nextval('public.repositorykind_id_seq'::regclass);

ALTER TABLE ONLY public.repositorytag ALTER COLUMN id SET DEFAULT nextval('public.repositorytag_id_seq'::regclass);

ALTER TABLE ONLY public.tag ALTER COLUMN id SET DEFAULT nextval('public.tag_id_seq'::regclass);

ALTER TABLE ONLY public.tagkind ALTER COLUMN id SET DEFAULT nextval('public.tagkind_id_seq'::regclass);

ALTER TABLE ONLY public.tagmanifest ALTER COLUMN id SET DEFAULT nextval('public.tagmanifest_id_seq'::regclass);

ALTER TABLE ONLY public.tagmanifestlabel ALTER COLUMN id SET DEFAULT nextval('public.tagmanifestlabel_id_seq'::regclass);

ALTER TABLE ONLY public.tagmanifestlabelmap ALTER COLUMN id SET DEFAULT nextval('public.tagmanifestlabelmap_id_seq'::regclass);

ALTER TABLE ONLY public.tagmanifesttomanifest ALTER COLUMN id SET DEFAULT nextval('public.tagmanifesttomanifest_id_seq'::regclass);

ALTER TABLE ONLY public.tagtorepositorytag ALTER COLUMN id SET DEFAULT nextval('public.tagtorepositorytag_id_seq'::regclass);

ALTER TABLE ONLY public."user" ALTER COLUMN id SET DEFAULT nextval('public.user_id_seq'::regclass);

ALTER TABLE ONLY public.visibility ALTER COLUMN id SET DEFAULT nextval('public.visibility_id_seq'::regclass);

ALTER TABLE ONLY backfill.batch
    ADD CONSTRAINT batch_pkey PRIMARY KEY (id);

ALTER TABLE ONLY backfill.kysely_migration_lock
    ADD CONSTRAINT kysely_migration_lock_pkey PRIMARY KEY (id);

ALTER TABLE ONLY backfill.kysely_migration
    ADD CONSTRAINT kysely_migration_pkey PRIMARY KEY (name);

ALTER TABLE ONLY backfill.run_event
    ADD CONSTRAINT run_event_pkey PRIMARY KEY (id);

ALTER TABLE ONLY backfill.run
    ADD CONSTRAINT run_pkey PRIMARY KEY (id);

ALTER TABLE ONLY backfill.tag_outcome
    ADD CONSTRAINT tag_outcome_pkey PRIMARY KEY (repository_tag_id);

ALTER TABLE ONLY public.image
    ADD CONSTRAINT image_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.imagestorage
    ADD CONSTRAINT imagestorage_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.label
    ADD CONSTRAINT label_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.labelsourcetype
    ADD CONSTRAINT labelsourcetype_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.manifest
    ADD CONSTRAINT manifest_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT manifestblob_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT manifestchild_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT manifestlabel_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.manifestlegacyimage
    ADD CONSTRAINT manifestlegacyimage_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.mediatype
    ADD CONSTRAINT mediatype_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT repository_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.repositorykind
    ADD CONSTRAINT repositorykind_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.repositorytag
    ADD CONSTRAINT repositorytag_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT tag_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tagkind
    ADD CONSTRAINT tagkind_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tagmanifest
    ADD CONSTRAINT tagmanifest_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tagmanifestlabel
    ADD CONSTRAINT tagmanifestlabel_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tagmanifestlabelmap
    ADD CONSTRAINT tagmanifestlabelmap_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tagmanifesttomanifest
    ADD CONSTRAINT tagmanifesttomanifest_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tagtorepositorytag
    ADD CONSTRAINT tagtorepositorytag_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public."user"
    ADD CONSTRAINT user_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.visibility
    ADD CONSTRAINT visibility_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX batch_run_id_seq ON backfill.batch USING btree (run_id, seq);

CREATE INDEX batch_run_id_status ON backfill.batch USING btree (run_id, status);

CREATE INDEX run_event_run_id ON backfill.run_event USING btree (run_id, at);

CREATE UNIQUE INDEX run_one_active_per_target ON backfill.run USING btree (target) WHERE (status = ANY (ARRAY['pending'::text, 'running'::text, 'paused'::text]));

CREATE INDEX run_status ON backfill.run USING btree (status);

CREATE INDEX tag_outcome_reason ON backfill.tag_outcome USING btree (reason) WHERE (reason IS NOT NULL);

CREATE INDEX tag_outcome_run_id_outcome ON backfill.tag_outcome USING btree (run_id, outcome);

CREATE UNIQUE INDEX throttle_switch_scope ON backfill.throttle_switch USING btree (COALESCE(run_id, (0)::bigint));

CREATE INDEX image_ancestors ON public.image USING btree (ancestors varchar_pattern_ops);

CREATE INDEX image_docker_image_id ON public.image USING btree (docker_image_id);

CREATE INDEX image_parent_id ON public.image USING btree (parent_id);

CREATE INDEX image_repository_id ON public.image USING btree (repository_id);

CREATE UNIQUE INDEX image_repository_id_docker_image_id ON public.image USING btree (repository_id, docker_image_id);

CREATE INDEX image_security_indexed_engine_security_indexed ON public.image USING btree (security_indexed_engine, security_indexed);

CREATE INDEX image_storage_id ON public.image USING btree (storage_id);

CREATE INDEX imagestorage_content_checksum ON public.imagestorage USING btree (content_checksum);

CREATE UNIQUE INDEX imagestorage_uuid ON public.imagestorage USING btree (uuid);

CREATE INDEX label_key ON public.label USING btree (key);

CREATE INDEX label_media_type_id ON public.label USING btree (media_type_id);

CREATE INDEX label_source_type_id ON public.label USING btree (source_type_id);

CREATE UNIQUE INDEX label_uuid ON public.label USING btree (uuid);

CREATE UNIQUE INDEX labelsourcetype_name ON public.labelsourcetype USING btree (name);

CREATE INDEX manifest_digest ON public.manifest USING btree (digest);

CREATE INDEX manifest_media_type_id ON public.manifest USING btree (media_type_id);

CREATE INDEX manifest_repository_id ON public.manifest USING btree (repository_id);

CREATE UNIQUE INDEX manifest_repository_id_digest ON public.manifest USING btree (repository_id, digest);

CREATE INDEX manifest_repository_id_media_type_id ON public.manifest USING btree (repository_id, media_type_id);

CREATE INDEX manifestblob_blob_id ON public.manifestblob USING btree (blob_id);

CREATE INDEX manifestblob_manifest_id ON public.manifestblob USING btree (manifest_id);

CREATE UNIQUE INDEX manifestblob_manifest_id_blob_id ON public.manifestblob USING btree (manifest_id, blob_id);

CREATE INDEX manifestblob_repository_id ON public.manifestblob USING btree (repository_id);

CREATE INDEX manifestchild_child_manifest_id ON public.manifestchild USING btree (child_manifest_id);

CREATE INDEX manifestchild_manifest_id ON public.manifestchild USING btree (manifest_id);

CREATE UNIQUE INDEX manifestchild_manifest_id_child_manifest_id ON public.manifestchild USING btree (manifest_id, child_manifest_id);

CREATE INDEX manifestchild_repository_id ON public.manifestchild USING btree (repository_id);

CREATE INDEX manifestchild_repository_id_child_manifest_id ON public.manifestchild USING btree (repository_id, child_manifest_id);

CREATE INDEX manifestchild_repository_id_manifest_id ON public.manifestchild USING btree (repository_id, manifest_id);

CREATE INDEX manifestchild_repository_id_manifest_id_child_manifest_id ON public.manifestchild USING btree (repository_id, manifest_id, child_manifest_id);

CREATE INDEX manifestlabel_label_id ON public.manifestlabel USING btree (label_id);

CREATE INDEX manifestlabel_manifest_id ON public.manifestlabel USING btree (manifest_id);

CREATE UNIQUE INDEX manifestlabel_manifest_id_label_id ON public.manifestlabel USING btree (manifest_id, label_id);

CREATE INDEX manifestlabel_repository_id ON public.manifestlabel USING btree (repository_id);

CREATE INDEX manifestlegacyimage_image_id ON public.manifestlegacyimage USING btree (image_id);

CREATE UNIQUE INDEX manifestlegacyimage_manifest_id ON public.manifestlegacyimage USING btree (manifest_id);

CREATE INDEX manifestlegacyimage_repository_id ON public.manifestlegacyimage USING btree (repository_id);

CREATE UNIQUE INDEX mediatype_name ON public.mediatype USING btree (name);

CREATE INDEX repository_kind_id ON public.repository USING btree (kind_id);

CREATE INDEX repository_namespace_user_id ON public.repository USING btree (namespace_user_id);

CREATE UNIQUE INDEX repository_namespace_user_id_name ON public.repository USING btree (namespace_user_id, name);

CREATE INDEX repository_state ON public.repository USING btree (state);

CREATE INDEX repository_visibility_id ON public.repository USING btree (visibility_id);

CREATE UNIQUE INDEX repositorykind_name ON public.repositorykind USING btree (name);

CREATE INDEX repositorytag_image_id ON public.repositorytag USING btree (image_id);

CREATE INDEX repositorytag_lifetime_end_ts ON public.repositorytag USING btree (lifetime_end_ts);

CREATE INDEX repositorytag_repository_id_lifetime_end_ts ON public.repositorytag USING btree (repository_id, lifetime_end_ts);

CREATE INDEX repositorytag_repository_id_name ON public.repositorytag USING btree (repository_id, name);

CREATE UNIQUE INDEX repositorytag_repository_id_name_lifetime_end_ts ON public.repositorytag USING btree (repository_id, name, lifetime_end_ts);

CREATE INDEX tag_lifetime_end_ms ON public.tag USING btree (lifetime_end_ms);

CREATE INDEX tag_linked_tag_id ON public.tag USING btree (linked_tag_id);

CREATE INDEX tag_manifest_id ON public.tag USING btree (manifest_id);

CREATE INDEX tag_repository_id ON public.tag USING btree (repository_id);

CREATE INDEX tag_repository_id_lifetime_end_ms ON public.tag USING btree (repository_id, lifetime_end_ms);

CREATE INDEX tag_repository_id_lifetime_start_ms ON public.tag USING btree (repository_id, lifetime_start_ms);

CREATE INDEX tag_repository_id_name ON public.tag USING btree (repository_id, name);

CREATE INDEX tag_repository_id_name_hidden ON public.tag USING btree (repository_id, name, hidden);

CREATE UNIQUE INDEX tag_repository_id_name_lifetime_end_ms ON public.tag USING btree (repository_id, name, lifetime_end_ms);

CREATE INDEX tag_repository_id_name_tag_kind_id ON public.tag USING btree (repository_id, name, tag_kind_id);

CREATE INDEX tag_tag_kind_id ON public.tag USING btree (tag_kind_id);

CREATE UNIQUE INDEX tagkind_name ON public.tagkind USING btree (name);

CREATE INDEX tagmanifest_digest ON public.tagmanifest USING btree (digest);

CREATE UNIQUE INDEX tagmanifest_tag_id ON public.tagmanifest USING btree (tag_id);

CREATE INDEX tagmanifestlabel_annotated_id ON public.tagmanifestlabel USING btree (annotated_id);

CREATE UNIQUE INDEX tagmanifestlabel_annotated_id_label_id ON public.tagmanifestlabel USING btree (annotated_id, label_id);

CREATE INDEX tagmanifestlabel_label_id ON public.tagmanifestlabel USING btree (label_id);

CREATE INDEX tagmanifestlabel_repository_id ON public.tagmanifestlabel USING btree (repository_id);

CREATE INDEX tagmanifestlabelmap_broken_manifest ON public.tagmanifestlabelmap USING btree (broken_manifest);

CREATE INDEX tagmanifestlabelmap_label_id ON public.tagmanifestlabelmap USING btree (label_id);

CREATE INDEX tagmanifestlabelmap_manifest_id ON public.tagmanifestlabelmap USING btree (manifest_id);

CREATE INDEX tagmanifestlabelmap_manifest_label_id ON public.tagmanifestlabelmap USING btree (manifest_label_id);

CREATE INDEX tagmanifestlabelmap_tag_manifest_id ON public.tagmanifestlabelmap USING btree (tag_manifest_id);

CREATE INDEX tagmanifestlabelmap_tag_manifest_label_id ON public.tagmanifestlabelmap USING btree (tag_manifest_label_id);

CREATE INDEX tagmanifesttomanifest_broken ON public.tagmanifesttomanifest USING btree (broken);

CREATE INDEX tagmanifesttomanifest_manifest_id ON public.tagmanifesttomanifest USING btree (manifest_id);

CREATE UNIQUE INDEX tagmanifesttomanifest_tag_manifest_id ON public.tagmanifesttomanifest USING btree (tag_manifest_id);

CREATE INDEX tagtorepositorytag_repository_id ON public.tagtorepositorytag USING btree (repository_id);

CREATE UNIQUE INDEX tagtorepositorytag_repository_tag_id ON public.tagtorepositorytag USING btree (repository_tag_id);

CREATE UNIQUE INDEX tagtorepositorytag_tag_id ON public.tagtorepositorytag USING btree (tag_id);

CREATE UNIQUE INDEX user_email ON public."user" USING btree (email);

CREATE INDEX user_organization ON public."user" USING btree (organization);

CREATE INDEX user_robot ON public."user" USING btree (robot);

CREATE UNIQUE INDEX user_username ON public."user" USING btree (username);

CREATE UNIQUE INDEX visibility_name ON public.visibility USING btree (name);

ALTER TABLE ONLY backfill.batch
    ADD CONSTRAINT batch_run_id_fkey FOREIGN KEY (run_id) REFERENCES backfill.run(id) ON DELETE CASCADE;

ALTER TABLE ONLY backfill.run_event
    ADD CONSTRAINT run_event_run_id_fkey FOREIGN KEY (run_id) REFERENCES backfill.run(id) ON DELETE CASCADE;

ALTER TABLE ONLY backfill.tag_outcome
    ADD CONSTRAINT tag_outcome_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES backfill.batch(id) ON DELETE SET NULL;

ALTER TABLE ONLY backfill.tag_outcome
    ADD CONSTRAINT tag_outcome_run_id_fkey FOREIGN KEY (run_id) REFERENCES backfill.run(id) ON DELETE CASCADE;

ALTER TABLE ONLY backfill.throttle_switch
    ADD CONSTRAINT throttle_switch_run_id_fkey FOREIGN KEY (run_id) REFERENCES backfill.run(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.image
    ADD CONSTRAINT image_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.image
    ADD CONSTRAINT image_storage_id_fkey FOREIGN KEY (storage_id) REFERENCES public.imagestorage(id);

ALTER TABLE ONLY public.label
    ADD CONSTRAINT label_media_type_id_fkey FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

ALTER TABLE ONLY public.label
    ADD CONSTRAINT label_source_type_id_fkey FOREIGN KEY (source_type_id) REFERENCES public.labelsourcetype(id);

ALTER TABLE ONLY public.manifest
    ADD CONSTRAINT manifest_media_type_id_fkey FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

ALTER TABLE ONLY public.manifest
    ADD CONSTRAINT manifest_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT manifestblob_blob_id_fkey FOREIGN KEY (blob_id) REFERENCES public.imagestorage(id);

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT manifestblob_manifest_id_fkey FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT manifestblob_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT manifestchild_child_manifest_id_fkey FOREIGN KEY (child_manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT manifestchild_manifest_id_fkey FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT manifestchild_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT manifestlabel_label_id_fkey FOREIGN KEY (label_id) REFERENCES public.label(id);

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT manifestlabel_manifest_id_fkey FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT manifestlabel_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.manifestlegacyimage
    ADD CONSTRAINT manifestlegacyimage_image_id_fkey FOREIGN KEY (image_id) REFERENCES public.image(id);

ALTER TABLE ONLY public.manifestlegacyimage
    ADD CONSTRAINT manifestlegacyimage_manifest_id_fkey FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.manifestlegacyimage
    ADD CONSTRAINT manifestlegacyimage_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT repository_kind_id_fkey FOREIGN KEY (kind_id) REFERENCES public.repositorykind(id);

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT repository_namespace_user_id_fkey FOREIGN KEY (namespace_user_id) REFERENCES public."user"(id);

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT repository_visibility_id_fkey FOREIGN KEY (visibility_id) REFERENCES public.visibility(id);

ALTER TABLE ONLY public.repositorytag
    ADD CONSTRAINT repositorytag_image_id_fkey FOREIGN KEY (image_id) REFERENCES public.image(id);

ALTER TABLE ONLY public.repositorytag
    ADD CONSTRAINT repositorytag_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT tag_linked_tag_id_fkey FOREIGN KEY (linked_tag_id) REFERENCES public.tag(id);

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT tag_manifest_id_fkey FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT tag_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT tag_tag_kind_id_fkey FOREIGN KEY (tag_kind_id) REFERENCES public.tagkind(id);

ALTER TABLE ONLY public.tagmanifest
    ADD CONSTRAINT tagmanifest_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES public.repositorytag(id);

ALTER TABLE ONLY public.tagmanifestlabel
    ADD CONSTRAINT tagmanifestlabel_annotated_id_fkey FOREIGN KEY (annotated_id) REFERENCES public.tagmanifest(id);

ALTER TABLE ONLY public.tagmanifestlabel
    ADD CONSTRAINT tagmanifestlabel_label_id_fkey FOREIGN KEY (label_id) REFERENCES public.label(id);

ALTER TABLE ONLY public.tagmanifestlabel
    ADD CONSTRAINT tagmanifestlabel_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.tagmanifestlabelmap
    ADD CONSTRAINT tagmanifestlabelmap_label_id_fkey FOREIGN KEY (label_id) REFERENCES public.label(id);

ALTER TABLE ONLY public.tagmanifestlabelmap
    ADD CONSTRAINT tagmanifestlabelmap_manifest_id_fkey FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.tagmanifestlabelmap
    ADD CONSTRAINT tagmanifestlabelmap_manifest_label_id_fkey FOREIGN KEY (manifest_label_id) REFERENCES public.manifestlabel(id);

ALTER TABLE ONLY public.tagmanifestlabelmap
    ADD CONSTRAINT tagmanifestlabelmap_tag_manifest_id_fkey FOREIGN KEY (tag_manifest_id) REFERENCES public.tagmanifest(id);

ALTER TABLE ONLY public.tagmanifestlabelmap
    ADD CONSTRAINT tagmanifestlabelmap_tag_manifest_label_id_fkey FOREIGN KEY (tag_manifest_label_id) REFERENCES public.tagmanifestlabel(id);

ALTER TABLE ONLY public.tagmanifesttomanifest
    ADD CONSTRAINT tagmanifesttomanifest_manifest_id_fkey FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

ALTER TABLE ONLY public.tagmanifesttomanifest
    ADD CONSTRAINT tagmanifesttomanifest_tag_manifest_id_fkey FOREIGN KEY (tag_manifest_id) REFERENCES public.tagmanifest(id);

ALTER TABLE ONLY public.tagtorepositorytag
    ADD CONSTRAINT tagtorepositorytag_repository_id_fkey FOREIGN KEY (repository_id) REFERENCES public.repository(id);

ALTER TABLE ONLY public.tagtorepositorytag
    ADD CONSTRAINT tagtorepositorytag_repository_tag_id_fkey FOREIGN KEY (repository_tag_id) REFERENCES public.repositorytag(id);

ALTER TABLE ONLY public.tagtorepositorytag
    ADD CONSTRAINT tagtorepositorytag_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES public.tag(id);
