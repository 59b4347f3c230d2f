import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { MalformedManifestError } from "../../../src/manifest/errors.js";
import { chooseLegacyChild, resolveLegacyChild } from "../../../src/manifest/legacy-child.js";
import { MEDIA_TYPES } from "../../../src/manifest/media-types.js";
import { parseManifest } from "../../../src/manifest/parse-manifest.js";

const sha = (text: string) => "sha256:" + createHash("sha256").update(text).digest("hex");
const descriptor = (mediaType: string, text: string) => ({
  mediaType,
  size: Buffer.byteLength(text),
  digest: sha(text),
});

const CONFIG = '{"architecture":"amd64","os":"linux"}';
const LAYER = "layer bytes";
const SCHEMA2 = JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA_TYPES.schema2,
  config: descriptor("application/vnd.docker.container.image.v1+json", CONFIG),
  layers: [descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER)],
});
const OCI = JSON.stringify({
  schemaVersion: 2,
  config: descriptor("application/vnd.oci.image.config.v1+json", CONFIG),
  layers: [descriptor("application/vnd.oci.image.layer.v1.tar+gzip", LAYER)],
});
const ARM = JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA_TYPES.schema2,
  config: descriptor("x", "arm"),
  layers: [],
});

function list(mediaType: string | undefined, children: { text: string; platform?: object }[]) {
  return JSON.stringify({
    schemaVersion: 2,
    ...(mediaType ? { mediaType } : {}),
    manifests: children.map((c) => ({
      ...descriptor(MEDIA_TYPES.schema2, c.text),
      ...(c.platform ? { platform: c.platform } : {}),
    })),
  });
}
const LIST = list(MEDIA_TYPES.manifestList, [
  { text: ARM, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
  { text: SCHEMA2, platform: { architecture: "amd64", os: "linux" } },
]);

describe("parseManifest: schema2, OCI, lists", () => {
  it("reads a schema2 manifest: digest, config, layers", () => {
    const m = parseManifest(SCHEMA2);
    assert.equal(m.kind, "schema2");
    assert.equal(m.digest, sha(SCHEMA2));
    assert.ok(m.kind === "schema2");
    assert.equal(m.layers[0]?.size, LAYER.length);
    assert.equal(m.config.digest, sha(CONFIG));
  });

  it("reads an OCI manifest without mediaType by its members, or by the hint", () => {
    assert.equal(parseManifest(OCI).kind, "oci-manifest");
    assert.equal(parseManifest(OCI, MEDIA_TYPES.schema2).kind, "schema2");
    assert.equal(parseManifest(OCI).mediaType, MEDIA_TYPES.ociManifest);
  });

  it("refuses a hint that contradicts the content", () => {
    assert.throws(() => parseManifest(SCHEMA2, MEDIA_TYPES.ociIndex), { code: "unknown_kind" });
  });

  it("reads a manifest list with platforms and chooses the amd64/linux child", () => {
    const m = parseManifest(LIST);
    assert.ok(m.kind === "manifest-list");
    assert.deepEqual(
      m.manifests.map((c) => c.platform?.architecture),
      ["arm64", "amd64"],
    );
    assert.equal(chooseLegacyChild(m)?.index, 1);
    const child = resolveLegacyChild(m, (digest) => (digest === sha(SCHEMA2) ? SCHEMA2 : undefined));
    assert.equal(child?.manifest.digest, sha(SCHEMA2));
  });

  it("refuses a child whose bytes do not match the list's size or digest", () => {
    const m = parseManifest(LIST);
    assert.ok(m.kind === "manifest-list");
    const check = (bytes: string, field: string) =>
      assert.throws(
        () => resolveLegacyChild(m, () => bytes),
        (err: unknown) =>
          err instanceof MalformedManifestError && err.code === "child_mismatch" && err.field === field,
      );
    check(SCHEMA2 + " ", "/manifests/1/size");
    check(SCHEMA2.replace("schemaVersion", "schemaVersioN"), "/manifests/1/digest");
  });

  it("has no legacy child without amd64/linux", () => {
    const m = parseManifest(
      list(undefined, [{ text: ARM, platform: { architecture: "arm64", os: "linux" } }]),
    );
    assert.equal(m.kind, "oci-index");
    assert.ok(m.kind === "oci-index");
    assert.equal(chooseLegacyChild(m), undefined);
  });

  it("requires platforms in a Docker list but not in an OCI index", () => {
    assert.throws(() => parseManifest(list(MEDIA_TYPES.manifestList, [{ text: ARM }])), {
      code: "schema_violation",
      field: "/manifests/0/platform",
    });
    assert.equal(parseManifest(list(MEDIA_TYPES.ociIndex, [{ text: ARM }])).kind, "oci-index");
  });

  it("refuses schema2 with a bad descriptor, naming the field", () => {
    const bad = JSON.parse(SCHEMA2) as { layers: { size: unknown }[] };
    (bad.layers[0] as { size: unknown }).size = -1;
    assert.throws(() => parseManifest(JSON.stringify(bad)), {
      code: "schema_violation",
      field: "/layers/0/size",
    });
    assert.throws(() => parseManifest('{"mediaType":"text/plain"}'), {
      code: "unknown_kind",
      field: "/mediaType",
    });
  });
});
