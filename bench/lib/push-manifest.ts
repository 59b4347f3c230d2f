import { createHash } from "node:crypto";

export const SCHEMA2_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
const CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json";
const LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";

export interface PushedBlob {
  digest: string;
  size: number;
}

export interface PushManifest {
  bytes: string;
  digest: string;
  layersSize: number;
}

export const sha256Digest = (text: string): string =>
  `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** The digest of the `n`-th blob a workload process pushes: distinct per process and push. */
export function pushBlobDigest(processTag: string, n: number, role: string): string {
  return sha256Digest(`workload ${processTag} push ${n} ${role}`);
}

/** A docker schema 2 manifest over a config and layers, as a v2 push uploads it, with its digest. */
export function pushManifest(config: PushedBlob, layers: readonly PushedBlob[]): PushManifest {
  const bytes = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: SCHEMA2_MEDIA_TYPE,
      config: { mediaType: CONFIG_MEDIA_TYPE, size: config.size, digest: config.digest },
      layers: layers.map((l) => ({ mediaType: LAYER_MEDIA_TYPE, size: l.size, digest: l.digest })),
    },
    null,
    3,
  );
  return { bytes, digest: sha256Digest(bytes), layersSize: layers.reduce((s, l) => s + l.size, 0) };
}
