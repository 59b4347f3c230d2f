export const MEDIA_TYPES = {
  schema1: "application/vnd.docker.distribution.manifest.v1+json",
  schema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  schema2: "application/vnd.docker.distribution.manifest.v2+json",
  manifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

export type ManifestMediaType = (typeof MEDIA_TYPES)[keyof typeof MEDIA_TYPES];
