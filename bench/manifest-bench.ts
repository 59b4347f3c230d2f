// Micro-benchmark of the manifest core (issue 3): signed manifests per second against raw node:crypto
// RSA signing of the same payload in the same run (target: within 1.2x), jose's WebCrypto signing for
// comparison (why signer.ts calls node:crypto), and the Python-compatible JSON writer's throughput
// (target: at least 50 MB/s), and (issue 6) unsigned manifests per second for a batch of tags sharing a base
// chain, with and without the per-batch layer cache. Rows are timed in CPU time of this process (process.cpuUsage), so other
// processes on a shared machine do not skew the ratio, and interleaved round by round; the table shows
// medians, wall-clock rates beside them. Prints a table, then one JSON line.
import { generateKeyPairSync, sign } from "node:crypto";
import { FlattenedSign, importPKCS8 } from "jose";
import { buildSchema1, type Schema1Layer } from "../src/manifest/build-schema1.js";
import { generateSchema1 } from "../src/manifest/generate-schema1.js";
import type { JsonValue } from "../src/manifest/json-value.js";
import { createLayerCache } from "../src/manifest/layer-cache.js";
import { parsePythonJson } from "../src/manifest/python-json-parser.js";
import { MANIFEST_LAYOUT, pythonJsonDumps } from "../src/manifest/python-json-writer.js";
import { signatureTime } from "../src/manifest/sign-schema1.js";
import { createSigner } from "../src/manifest/signer.js";

const LAYERS = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SIGNS_PER_ROUND = Number(process.env.BENCH_SIGNS ?? 300);
const MANIFESTS = 200;
// A batch as the backfill plans it: tags over one stored base chain (the same string objects), each with
// a leaf of its own; a fresh layer cache per batch, as plan-batch.ts makes one.
const SHARED_TAGS = 100;
const SHARED_BATCHES = Number(process.env.BENCH_SHARED_BATCHES ?? 10);

/** A typical Docker-built chain (leaf first): linked ids, a Cmd per layer, env, labels; a non-ASCII author. */
function chain(variant: number): Schema1Layer[] {
  const id = (i: number) =>
    (i.toString(16) + variant.toString(16) + "e3b0c44298fc1c149afbf4c8996fb924").repeat(4).slice(0, 64);
  return Array.from({ length: LAYERS }, (_, i) => ({
    blobSum: `sha256:${id(i + 100)}`,
    v1Compatibility: JSON.stringify({
      id: id(i),
      ...(i > 0 ? { parent: id(i - 1) } : {}),
      created: "2019-05-01T10:00:00.123456789Z",
      container_config: {
        Hostname: "a1b2c3",
        Cmd: ["/bin/sh", "-c", `#(nop) RUN step ${i} && apt-get install -y pkg-${i}`],
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", `STEP=${i}`],
        Image: i > 0 ? id(i - 1) : "",
        Labels: { maintainer: "ops@example.com", "org.example.step": String(i) },
      },
      ...(i === LAYERS - 1 ? { author: "Sômé Öne <some@example.com>" } : {}),
      docker_version: "18.09.1",
      architecture: "amd64",
      os: "linux",
      Size: 1234567 * (i + 1),
    }),
  })).reverse();
}

/** CPU seconds and wall seconds of `fn`. */
async function timed(fn: () => unknown): Promise<{ cpu: number; wall: number }> {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  await fn();
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / 1e6, wall: Number(process.hrtime.bigint() - wall) / 1e9 };
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signer = createSigner(privateKey);
const joseKey = await importPKCS8(privateKey.export({ type: "pkcs8", format: "pem" }) as string, "RS256");
const time = new Date("2020-01-02T03:04:05Z");
const layers = chain(0);
const input = {
  namespace: "devtable",
  repository: "simple",
  tag: "latest",
  libraryNamespace: "library",
  layers,
  rewriteIds: true,
  maxBytes: 3_145_728,
  signer,
  signingTime: time,
};

const leafText = layers[0]?.v1Compatibility ?? "";
const leafId = (JSON.parse(leafText) as { id: string }).id;
const sharedBatch = Array.from({ length: SHARED_TAGS }, (_, i) => {
  const own = (i.toString(16) + "0".repeat(64)).slice(0, 64);
  return {
    ...input,
    signer: undefined,
    signingTime: undefined,
    tag: `t${i}`,
    layers: [
      { blobSum: `sha256:${own}`, v1Compatibility: leafText.replace(`"id":"${leafId}"`, `"id":"${own}"`) },
      ...layers.slice(1),
    ],
  };
});
// The common case (nothing rewritten), and the cache changes no byte.
for (const tagInput of sharedBatch) {
  const plain = await generateSchema1(tagInput);
  const cached = await generateSchema1({ ...tagInput, cache: createLayerCache() });
  if (
    !plain.ok ||
    plain.legacyImages.some((image) => image.rewritten) ||
    !cached.ok ||
    cached.bytes !== plain.bytes
  )
    throw new Error(`shared-chain tag ${tagInput.tag}: not a plain, cache-independent manifest`);
}
const generateBatches = async (cached: boolean) => {
  for (let b = 0; b < SHARED_BATCHES; b++) {
    const cache = cached ? createLayerCache() : undefined;
    for (const tagInput of sharedBatch) await generateSchema1({ ...tagInput, cache });
  }
};

// The exact signing input generateSchema1 signs, so the raw baseline signs the same bytes.
const payload = Buffer.from(buildSchema1({ name: "devtable/simple", tag: "latest", layers }));
const split = payload.lastIndexOf("\n}");
const header = {
  formatTail: payload.subarray(split).toString("base64url"),
  formatLength: split,
  time: signatureTime(time),
};
const signingInput = Buffer.from(
  `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${payload.toString("base64url")}`,
);

// Writer inputs as the backfill meets them: whole manifests (indent=3) and v1 metadata (compact).
const manifests = Array.from({ length: MANIFESTS }, (_, i) =>
  parsePythonJson(buildSchema1({ name: "devtable/simple", tag: `t${i}`, layers: chain(i) })),
);
const metadata: JsonValue[] = manifests.flatMap((_, i) =>
  chain(i).map((l) => parsePythonJson(l.v1Compatibility)),
);
const manifestTexts = manifests.map((m) => pythonJsonDumps(m, MANIFEST_LAYOUT));
const manifestBytes = manifestTexts.reduce((sum, t) => sum + t.length, 0);
const metadataBytes = metadata.reduce<number>((sum, m) => sum + pythonJsonDumps(m).length, 0);

const samples = { raw: [] as number[], ours: [] as number[], jose: [] as number[], ratio: [] as number[] };
const wallRates = { raw: [] as number[], ours: [] as number[] };
const writer = { manifest: [] as number[], compact: [] as number[], parser: [] as number[] };
const shared = { uncached: [] as number[], cached: [] as number[], ratio: [] as number[] };
for (let round = -1; round < ROUNDS; round++) {
  const raw = await timed(() => {
    for (let i = 0; i < SIGNS_PER_ROUND; i++) sign("sha256", signingInput, privateKey);
  });
  const ours = await timed(async () => {
    for (let i = 0; i < SIGNS_PER_ROUND; i++) await generateSchema1(input);
  });
  // WebCrypto signs on the libuv pool, so this process's CPU time covers it as well.
  const jose = await timed(async () => {
    for (let i = 0; i < SIGNS_PER_ROUND; i++) {
      await new FlattenedSign(payload)
        .setProtectedHeader(header)
        .setUnprotectedHeader({ alg: "RS256" })
        .sign(joseKey);
    }
  });
  const manifest = await timed(() =>
    manifests.forEach((m) => Buffer.byteLength(pythonJsonDumps(m, MANIFEST_LAYOUT))),
  );
  const compact = await timed(() => metadata.forEach((m) => Buffer.byteLength(pythonJsonDumps(m))));
  const parser = await timed(() => manifestTexts.forEach((t) => parsePythonJson(t)));
  const uncached = await timed(() => generateBatches(false));
  const cached = await timed(() => generateBatches(true));
  if (round < 0) continue; // warm-up
  samples.raw.push(SIGNS_PER_ROUND / raw.cpu);
  samples.ours.push(SIGNS_PER_ROUND / ours.cpu);
  samples.jose.push(SIGNS_PER_ROUND / jose.cpu);
  samples.ratio.push(ours.cpu / raw.cpu);
  wallRates.raw.push(SIGNS_PER_ROUND / raw.wall);
  wallRates.ours.push(SIGNS_PER_ROUND / ours.wall);
  writer.manifest.push(manifestBytes / 1e6 / manifest.cpu);
  writer.compact.push(metadataBytes / 1e6 / compact.cpu);
  writer.parser.push(manifestBytes / 1e6 / parser.cpu);
  shared.uncached.push((SHARED_TAGS * SHARED_BATCHES) / uncached.cpu);
  shared.cached.push((SHARED_TAGS * SHARED_BATCHES) / cached.cpu);
  shared.ratio.push(uncached.cpu / cached.cpu);
}

const result = {
  bench: "manifest",
  node: process.version,
  rounds: ROUNDS,
  signsPerRound: SIGNS_PER_ROUND,
  payloadBytes: payload.length,
  rawSignPerSec: Math.round(median(samples.raw)),
  signedManifestsPerSec: Math.round(median(samples.ours)),
  joseSignPerSec: Math.round(median(samples.jose)),
  signedVsRawTimeRatio: Number(median(samples.ratio).toFixed(3)),
  wallRawSignPerSec: Math.round(median(wallRates.raw)),
  wallSignedManifestsPerSec: Math.round(median(wallRates.ours)),
  writerManifestMBps: Number(median(writer.manifest).toFixed(1)),
  writerCompactMBps: Number(median(writer.compact).toFixed(1)),
  parserMBps: Number(median(writer.parser).toFixed(1)),
  sharedUnsignedPerSec: Math.round(median(shared.uncached)),
  sharedCachedUnsignedPerSec: Math.round(median(shared.cached)),
  sharedCacheSpeedup: Number(median(shared.ratio).toFixed(3)),
};
const rows: [string, string, string][] = [
  [
    "raw node:crypto RS256 sign, same input",
    `${result.rawSignPerSec} /s`,
    `baseline (wall ${result.wallRawSignPerSec} /s)`,
  ],
  [
    "generateSchema1 signed (rewrite, build, sign, pull check)",
    `${result.signedManifestsPerSec} /s`,
    `${result.signedVsRawTimeRatio}x the raw time (target <= 1.2)`,
  ],
  [
    "jose FlattenedSign RS256 (WebCrypto), same payload",
    `${result.joseSignPerSec} /s`,
    `${(median(samples.raw) / median(samples.jose)).toFixed(3)}x the raw time`,
  ],
  ["JSON writer, manifests indent=3", `${result.writerManifestMBps} MB/s`, "target >= 50"],
  ["JSON writer, v1 metadata compact", `${result.writerCompactMBps} MB/s`, "target >= 50"],
  ["JSON parser, lossless", `${result.parserMBps} MB/s`, ""],
  [
    `generateSchema1 unsigned, ${SHARED_TAGS} tags over a shared base, no cache`,
    `${result.sharedUnsignedPerSec} /s`,
    "",
  ],
  [
    `generateSchema1 unsigned, ${SHARED_TAGS} tags over a shared base, batch cache`,
    `${result.sharedCachedUnsignedPerSec} /s`,
    `${result.sharedCacheSpeedup}x faster than uncached`,
  ],
];
const width = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(
  `manifest bench: ${LAYERS}-layer chain, ${payload.length}-byte payload, RSA 2048, ${ROUNDS} interleaved rounds, medians of CPU-time rates\n`,
);
for (const [name, value, note] of rows)
  process.stdout.write(`${name.padEnd(width)}  ${value.padStart(11)}  ${note}\n`);
process.stdout.write(JSON.stringify(result) + "\n");
