import { pythonJsonDumps } from "../manifest/python-json-writer.js";
import { EMPTY_LAYER_CHECKSUM, rfc3339Nano, type BaseLayer } from "./base-images.js";
import { bloatLabels } from "./bloat-labels.js";
import type { PlannedImage } from "./plan-chain.js";
import type { Prng } from "./prng.js";
import type { SeedImageRow, SeedStorageRow } from "./seed-rows.js";
import { renderJson, renderV1Json, v1Object, type V1Facts } from "./v1-json.js";
import { STORAGE_FLAWS } from "./storage-flaws.js";

/** An image as rendered: its rows (none for a missing one) and what a manifest of its chain needs. */
export interface RenderedImage {
  readonly image: SeedImageRow | undefined;
  /** Undefined for base layers (their storage rows are shared) and missing images. */
  readonly storage: SeedStorageRow | undefined;
  readonly checksum: string | null;
  readonly v1Json: string | null;
  readonly size: number;
  readonly aggregateSize: number;
}

const DOCKER_VERSIONS = [
  "1.6.2",
  "1.8.3",
  "1.9.1",
  "1.10.3",
  "1.12.6",
  "17.03.1-ce",
  "17.06.0-ce",
  "18.09.7",
];
const AUTHORS = [
  "Jörg Müller <joerg@example.com>",
  "山田太郎 <taro@example.jp>",
  "Zoë Ørsted <zoe@example.dk>",
  "ops@example.com",
  "Renée Çelik 🐳 <renee@example.org>",
];
const RUN_STEPS = [
  "apt-get update && apt-get install -y --no-install-recommends curl ca-certificates",
  "pip install --no-cache-dir -r requirements.txt",
  "npm ci --production && npm cache clean --force",
  "echo 'Grüße aus Köln — ¡hola! 日本語' > /etc/motd",
  "go build -o /usr/local/bin/app ./cmd/app",
  "useradd -r -u 1001 app && chown -R app /srv",
];
const NOP_STEPS = [
  '#(nop)  CMD ["/usr/local/bin/app"]',
  "#(nop)  ENV LANG=C.UTF-8",
  "#(nop)  EXPOSE 8080/tcp",
  "#(nop)  WORKDIR /srv",
  '#(nop)  LABEL description="Ünïcode café ✓"',
  '#(nop)  ENTRYPOINT ["/docker-entrypoint.sh"]',
];

/**
 * Renders one planned image into its `image` and `imagestorage` rows, from a stream of its own, with the
 * planned defects applied. Parents are rendered first (lower ordinal), so `rendered` holds them.
 */
export function renderImage(
  stream: (ordinal: number) => Prng,
  repositoryId: number,
  node: PlannedImage,
  rendered: ReadonlyMap<PlannedImage, RenderedImage>,
): RenderedImage {
  const parentAggregate = node.parent ? (rendered.get(node.parent)?.aggregateSize ?? 0) : 0;
  if (node.base) return renderBase(node, node.base, repositoryId, parentAggregate);
  const prng = stream(node.ordinal);
  const size = node.throwaway ? 0 : Math.round(512 + prng.exponential(6_000_000));
  const { facts, cmd } = drawV1Facts(prng, node, size);
  const style = !node.bloat && prng.chance(0.25) ? "python" : "go";
  const text = flawed(renderV1Json(facts, style), facts, node, prng);
  const checksum = storageChecksum(node, prng);
  const aggregateSize = size + parentAggregate;
  return {
    image: node.missing
      ? undefined
      : imageRow(node, repositoryId, text, pythonJsonDumps(cmd), facts.comment ?? null, aggregateSize),
    storage: node.missing
      ? undefined
      : {
          id: node.storageId,
          uuid: prng.uuid(),
          imageSize: node.throwaway ? 32 : size,
          uncompressedSize: prng.chance(0.2) ? null : node.throwaway ? 1024 : Math.round(size * 2.4),
          uploading: node.storageFlaw !== undefined && "uploading" in STORAGE_FLAWS[node.storageFlaw],
          contentChecksum: checksum,
        },
    checksum,
    v1Json: text,
    size,
    aggregateSize,
  };
}

/** A base layer: its storage row is shared, its v1 JSON fixed. */
function renderBase(
  node: PlannedImage,
  base: BaseLayer,
  repositoryId: number,
  parentAggregate: number,
): RenderedImage {
  return {
    image: imageRow(node, repositoryId, base.v1Json, base.command, null, base.size + parentAggregate),
    storage: undefined,
    checksum: base.checksum,
    v1Json: base.v1Json,
    size: base.size,
    aggregateSize: base.size + parentAggregate,
  };
}

/** What the layer's v1 JSON says, drawn from its stream in a fixed order (the seed's rows depend on it). */
function drawV1Facts(prng: Prng, node: PlannedImage, size: number): { facts: V1Facts; cmd: string[] } {
  const nanos = prng.int(0, 999_999_999);
  const cmd = [
    "/bin/sh",
    "-c",
    node.throwaway
      ? prng.pick(NOP_STEPS)
      : prng.chance(0.4)
        ? `#(nop) COPY dir:${prng.hex(64)} in /srv `
        : prng.pick(RUN_STEPS),
  ];
  const parentId = node.jsonParentOverride ?? node.parent?.jsonId;
  const labels: Record<string, string> = {};
  if (prng.chance(0.3)) labels.maintainer = prng.pick(AUTHORS);
  if (prng.chance(0.2))
    labels["org.label-schema.version"] = `${prng.int(0, 9)}.${prng.int(0, 30)}.${prng.int(0, 99)}`;
  if (prng.chance(0.1)) labels.description = "Ünïcode café — 日本語 ✓";
  const facts: V1Facts = {
    id: node.v1Flaw === "no-id" ? undefined : node.jsonId,
    parent: parentId,
    created: rfc3339Nano(node.createdTs, nanos),
    container: prng.hex(64),
    cmd,
    image: parentId ?? "",
    env: prng.chance(0.3)
      ? [
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "LANG=C.UTF-8",
          "GREETING=grüß dich",
        ]
      : ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    labels: node.bloat ? bloatLabels(node.bloat) : labels,
    author: prng.chance(0.25) ? prng.pick(AUTHORS) : undefined,
    comment: prng.chance(0.05) ? "Imported from http://example.com/rootfs.tar.xz — ünïcode" : undefined,
    dockerVersion: prng.pick(DOCKER_VERSIONS),
    size,
    throwaway: node.throwaway,
  };
  return { facts, cmd };
}

function flawed(text: string, facts: V1Facts, node: PlannedImage, prng: Prng): string {
  switch (node.v1Flaw) {
    case undefined:
    case "no-id":
      return text;
    case "not-json":
      // Any proper prefix of an object's text is not JSON.
      return text.slice(0, prng.int(1, text.length - 1));
    case "unpullable":
      return unpullable(text, prng);
    case "not-object":
      switch (prng.int(0, 3)) {
        case 0:
          return renderJson([v1Object(facts)], "go");
        case 1:
          return JSON.stringify(text);
        case 2:
          return "null";
        default:
          return String(facts.size);
      }
  }
}

/**
 * v1 JSON a client refuses to pull although it parses (docs/signature-and-pull-rules.md), in one of five ways; the text is the
 * one a client (or Python, for NaN) wrote, so only the one value changes.
 */
function unpullable(text: string, prng: Prng): string {
  const size = /("Size": ?)[0-9]+/;
  switch (prng.int(0, 4)) {
    case 0:
      return text.replace(size, "$1NaN");
    case 1:
      return text.replace(size, "$11.5");
    case 2:
      return text.replace(size, `$1${"9".repeat(20)}`);
    case 3:
      return text.replace(/("created": ?)"[^"]*"/, '$1"last tuesday"');
    default:
      // container_config comes before config, so the first Cmd is container_config.Cmd.
      return text.replace(/("Cmd": ?)\[(?:"(?:[^"\\]|\\.)*"(?:, ?)?)*\]/, '$1"/bin/sh -c true"');
  }
}

/** The blob's digest: 64 hex digits from the image's stream (the blob itself is never written). */
function storageChecksum(node: PlannedImage, prng: Prng): string | null {
  const hex = prng.hex(64);
  if (node.storageFlaw !== undefined) return STORAGE_FLAWS[node.storageFlaw].checksum(hex, prng);
  if (node.throwaway) return EMPTY_LAYER_CHECKSUM;
  return `sha256:${hex}`;
}

function imageRow(
  node: PlannedImage,
  repositoryId: number,
  v1Json: string,
  command: string,
  comment: string | null,
  aggregateSize: number,
): SeedImageRow {
  return {
    id: node.imageId,
    dockerImageId: node.dockerId,
    repositoryId,
    ancestors: node.ancestorsOverride ?? node.ancestors,
    storageId: node.storageId,
    created: new Date(node.createdTs * 1000).toISOString().replace("T", " ").slice(0, 19),
    comment,
    command,
    aggregateSize,
    v1JsonMetadata: v1Json,
    parentId: node.parent?.imageId ?? null,
  };
}
