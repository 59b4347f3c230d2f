import { createHash, type KeyObject } from "node:crypto";
import { p256PrivateKey } from "../../src/seed/seed-signer.js";
import { buildSchema1 } from "../../src/manifest/build-schema1.js";
import { signSchema1 } from "../../src/manifest/sign-schema1.js";
import { createSigner, type Signer } from "../../src/manifest/signer.js";

/**
 * The cases of test/fixtures/libtrust/, built from deterministic EC P-256 keys (private scalar = SHA-256
 * of a label) with the project's own builder and signer. ECDSA signatures are randomised, so a regenerated
 * file differs in its signature bytes only; every verdict stays the same.
 */
export interface LibtrustFixture {
  file: string;
  bytes: Buffer;
}

const TIME = new Date("2026-01-02T03:04:05Z");
const hex = (c: string) => c.repeat(64);
const LAYERS = [
  { blobSum: `sha256:${hex("1")}`, v1Compatibility: `{"id":"${hex("b")}","parent":"${hex("a")}"}` },
  { blobSum: `sha256:${hex("2")}`, v1Compatibility: `{"id":"${hex("a")}"}` },
];
const PARTS = { name: "library/app", tag: "latest", architecture: "amd64", layers: LAYERS };

/** An EC P-256 private key fixed by its label. */
export function deterministicKey(label: string): KeyObject {
  return p256PrivateKey(createHash("sha256").update(label).digest());
}

const KEY_A = createSigner(deterministicKey("libtrust fixture key A"));
const KEY_B = createSigner(deterministicKey("libtrust fixture key B"));

export async function libtrustFixtures(): Promise<LibtrustFixture[]> {
  const payload = buildSchema1(PARTS);
  const good = await signSchema1(payload, KEY_A, TIME);
  const fixtures: [string, string | Buffer][] = [
    ["signed.json", good],
    ["conflicting-format-length.json", await conflictingSignatures(payload, "length")],
    ["conflicting-format-tail.json", await conflictingSignatures(payload, "tail")],
    [
      "kid-mismatch.json",
      await signSchema1(payload, { ...KEY_A, publicJwk: { ...KEY_A.publicJwk, kid: KEY_B.kid } }, TIME),
    ],
    ["no-kid.json", await signSchema1(payload, withoutKid(KEY_A), TIME)],
    [
      "extra-data-layers.json",
      appendMember(good, "fsLayers", [{ blobSum: `sha256:${hex("3")}` }, { blobSum: `sha256:${hex("4")}` }]),
    ],
    ["extra-data-name-tag.json", appendMember(appendMember(good, "name", "evil/app"), "tag", "evil")],
    ["tail-adds-members.json", await signWithTail(payload, ',\n   "tag": "signed-only"\n}')],
    ["extra-data-unknown-member.json", appendMember(good, "comment", "not read by any client")],
    [
      "schema2-with-fslayers.json",
      JSON.stringify({ ...schema2(), fsLayers: [{ blobSum: `sha256:${hex("1")}` }] }, null, 3),
    ],
    ["oci-manifest-with-manifests.json", JSON.stringify({ ...ociManifest(), manifests: [] }, null, 3)],
    ["oci-index-with-layers.json", JSON.stringify({ ...ociIndex(), layers: [] }, null, 3)],
    ["schema1-with-manifests.json", appendMember(good, "manifests", [])],
    ["oci-manifest-with-null-manifests.json", JSON.stringify({ ...ociManifest(), manifests: null }, null, 3)],
    ["invalid-utf8-byte.json", replaceInPayload(good, "library/app", Buffer.from([0x6c, 0x69, 0x62, 0xff]))],
    [
      "utf8-surrogate.json",
      replaceInPayload(good, "library/app", Buffer.from([0x6c, 0x69, 0x62, 0xed, 0xa0, 0x80])),
    ],
  ];
  return fixtures.map(([file, bytes]) => ({
    file,
    bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8"),
  }));
}

/**
 * Two signatures by two keys over one payload text, whose protected headers disagree: "length" splits the
 * payload one byte earlier (the same payload bytes, another formatLength and formatTail); "tail" keeps the
 * length and appends another tail (`\n }`, still JSON), so signature 1 covers other payload bytes. Each
 * signature verifies over the payload its own header describes.
 */
async function conflictingSignatures(payload: string, conflict: "length" | "tail"): Promise<string> {
  const first = await signSchema1(payload, KEY_A, TIME);
  const bytes = Buffer.from(first, "utf8");
  const split = Buffer.from(payload, "utf8").length - 2;
  const [length, tail] =
    conflict === "length"
      ? [split - 1, Buffer.concat([bytes.subarray(split - 1, split), Buffer.from("\n}")])]
      : [split, Buffer.from("\n }")];
  const header = JSON.stringify({
    formatTail: tail.toString("base64url"),
    formatLength: length,
    time: "2026-01-02T03:04:05Z",
  });
  const protectedB64 = Buffer.from(header, "utf8").toString("base64url");
  const covered = Buffer.concat([bytes.subarray(0, length), tail]);
  const signature = await KEY_B.sign(
    Buffer.from(`${protectedB64}.${covered.toString("base64url")}`, "ascii"),
  );
  const block = {
    header: { jwk: KEY_B.publicJwk, alg: KEY_B.alg },
    signature: Buffer.from(signature).toString("base64url"),
    protected: protectedB64,
  };
  const text = JSON.stringify(block, null, 3).replaceAll("\n", "\n      ");
  // The signature list closes with "\n   ]\n}": insert the second block before it.
  const close = first.lastIndexOf("\n   ]\n}");
  return `${first.slice(0, close)},\n      ${text}${first.slice(close)}`;
}

/**
 * Signed by key A over `payload[:-2] + tail`: a formatTail that adds members, so the payload holds text
 * the document does not. The document is `payload` with the signatures spliced in, as signSchema1 does.
 */
async function signWithTail(payload: string, tail: string): Promise<string> {
  const document = await signSchema1(payload, KEY_A, TIME);
  const length = Buffer.byteLength(payload) - 2;
  const header = JSON.stringify({
    formatTail: Buffer.from(tail).toString("base64url"),
    formatLength: length,
    time: "2026-01-02T03:04:05Z",
  });
  const protectedB64 = Buffer.from(header, "utf8").toString("base64url");
  const covered = Buffer.concat([Buffer.from(document).subarray(0, length), Buffer.from(tail)]);
  const signature = await KEY_A.sign(
    Buffer.from(`${protectedB64}.${covered.toString("base64url")}`, "ascii"),
  );
  const parsed = JSON.parse(document) as { signatures: { protected: string; signature: string }[] };
  const [block] = parsed.signatures;
  if (block === undefined) throw new Error("signSchema1 wrote no signature");
  return document
    .replace(block.protected, protectedB64)
    .replace(block.signature, Buffer.from(signature).toString("base64url"));
}

/** A member added after the signatures, outside the signed payload (Docker's extra_data case). */
function appendMember(signed: string, key: string, value: unknown): string {
  return `${signed.slice(0, -2)},\n   ${JSON.stringify(key)}: ${JSON.stringify(value)}\n}`;
}

/** The bytes with the first occurrence of `text` replaced by raw bytes (which may not be UTF-8). */
function replaceInPayload(signed: string, text: string, raw: Buffer): Buffer {
  const bytes = Buffer.from(signed, "utf8");
  const at = bytes.indexOf(text);
  return Buffer.concat([bytes.subarray(0, at), raw, bytes.subarray(at + Buffer.byteLength(text))]);
}

function withoutKid(signer: Signer): Signer {
  const { kid: _kid, ...jwk } = signer.publicJwk;
  return { ...signer, publicJwk: jwk as Signer["publicJwk"] };
}

const descriptor = (mediaType: string, c: string, size: number) => ({
  mediaType,
  size,
  digest: `sha256:${hex(c)}`,
});

function schema2() {
  return {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: descriptor("application/vnd.docker.container.image.v1+json", "c", 1469),
    layers: [descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", "1", 977)],
  };
}

function ociManifest() {
  return {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: descriptor("application/vnd.oci.image.config.v1+json", "c", 1469),
    layers: [descriptor("application/vnd.oci.image.layer.v1.tar+gzip", "1", 977)],
  };
}

function ociIndex() {
  return {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {
        ...descriptor("application/vnd.oci.image.manifest.v1+json", "d", 528),
        platform: { architecture: "amd64", os: "linux" },
      },
    ],
  };
}
