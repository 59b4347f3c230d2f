import { createHash } from "node:crypto";
import { pythonJsonDumps } from "../manifest/python-json-writer.js";
import { Prng } from "./prng.js";
import { renderV1Json, type V1Facts } from "./v1-json.js";

/** The empty tar every throwaway (metadata-only) layer of schema1 points at. */
export const EMPTY_LAYER_CHECKSUM = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

/** One layer of a shared base image: the same id, JSON and blob in every repository built on it. */
export interface BaseLayer {
  readonly baseName: string;
  readonly index: number;
  readonly dockerId: string;
  readonly checksum: string;
  readonly size: number;
  readonly createdTs: number;
  readonly throwaway: boolean;
  readonly v1Json: string;
  readonly command: string;
  /** 1-based position among all base layers: the storage row id is the imagestorage offset + this. */
  readonly storageOrdinal: number;
}

export interface BaseImage {
  readonly name: string;
  readonly weight: number;
  readonly layers: readonly BaseLayer[];
}

const CATALOG: readonly { name: string; depth: number; weight: number }[] = [
  { name: "debian", depth: 2, weight: 5 },
  { name: "ubuntu", depth: 4, weight: 4 },
  { name: "alpine", depth: 2, weight: 4 },
  { name: "busybox", depth: 1, weight: 1 },
  { name: "centos", depth: 3, weight: 2 },
  { name: "python", depth: 6, weight: 3 },
  { name: "node", depth: 7, weight: 3 },
  { name: "golang", depth: 5, weight: 1 },
];

const BASE_EPOCH = Date.UTC(2014, 5, 1) / 1000;

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The fixed catalog of base images. It does not depend on the seed: debian's layers are the same in
 * every registry, which is what makes many tags share the same few base images.
 */
export function baseImages(): BaseImage[] {
  let ordinal = 0;
  return CATALOG.map(({ name, depth, weight }) => {
    const prng = Prng.derive("base-images", name);
    const layers: BaseLayer[] = [];
    let createdTs = BASE_EPOCH + prng.int(0, 180 * 86400);
    for (let index = 0; index < depth; index++) {
      const parent = layers[index - 1];
      const dockerId = sha256Hex(`base-image/${name}/${index}`);
      const top = index === depth - 1 && depth > 1;
      const throwaway = top;
      const cmd =
        index === 0
          ? ["/bin/sh", "-c", `#(nop) ADD file:${prng.hex(64)} in / `]
          : top
            ? ["/bin/sh", "-c", `#(nop)  CMD ["${name === "node" ? "node" : "/bin/sh"}"]`]
            : ["/bin/sh", "-c", `set -ex; apt-get update && apt-get install -y ${name}-core${index}`];
      createdTs += prng.int(10, 600);
      const size = throwaway ? 0 : prng.int(500_000, 60_000_000);
      const facts: V1Facts = {
        id: dockerId,
        parent: parent?.dockerId,
        created: rfc3339Nano(createdTs, prng.int(0, 999_999_999)),
        container: prng.hex(64),
        cmd,
        image: parent?.dockerId ?? "",
        env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        labels: {},
        author: undefined,
        comment: undefined,
        dockerVersion: "1.6.2",
        size,
        throwaway,
      };
      layers.push({
        baseName: name,
        index,
        dockerId,
        checksum: throwaway ? EMPTY_LAYER_CHECKSUM : `sha256:${sha256Hex(`base-blob/${name}/${index}`)}`,
        size,
        createdTs,
        throwaway,
        v1Json: renderV1Json(facts, "go"),
        command: pythonJsonDumps(cmd),
        storageOrdinal: ++ordinal,
      });
    }
    return { name, weight, layers };
  });
}

/** Go's time format for `created`: RFC 3339 with nanoseconds, `Z` for UTC. */
export function rfc3339Nano(seconds: number, nanos: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(nanos).padStart(9, "0")}Z`;
}
