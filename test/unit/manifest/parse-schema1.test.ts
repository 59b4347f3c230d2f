import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MalformedManifestError, type MalformedCode } from "../../../src/manifest/errors.js";
import { MEDIA_TYPES } from "../../../src/manifest/media-types.js";
import { parseManifest } from "../../../src/manifest/parse-manifest.js";
import { parseSchema1 } from "../../../src/manifest/parse-schema1.js";
import { schema1Digest } from "../../../src/manifest/schema1-digest.js";
import { verifySchema1Signatures } from "../../../src/manifest/verify-schema1.js";
import { readFixture } from "./vectors.js";

/** The fixture table of test/vectors/README.md. */
const FIXTURES: { file: string; digest: string; verdict: "valid" | "invalid" | "unsigned"; row?: true }[] = [
  {
    file: "quay-validated_manifest.json",
    digest: "sha256:b5dc4f63fdbd64f34f2314c0747ef81008f9fcddce4edfc3fd0e8ec8b358d571",
    verdict: "valid",
  },
  {
    file: "quay-validated_manifest_with_unicode.json",
    digest: "sha256:815ecf45716a96b19d54d911e6ace91f78bab26ca0dd299645d9995dacd9f1ef",
    verdict: "valid",
  },
  {
    file: "quay-manifest_unicode_row.json",
    digest: "sha256:dde3714ce7e23edc6413aa85c0b42792e4f2f79e9ea36afc154d63ff3d04e86c",
    verdict: "valid",
    row: true,
  },
  {
    file: "quay-manifest_unencoded_unicode.json",
    digest: "sha256:5d8a0f34744a39bf566ba430251adc0cc86587f86aed3ac2acfb897f349777bc",
    verdict: "valid",
  },
  {
    file: "quay-validate_manifest_known_issue.json",
    digest: "sha256:44518f5a4d1cb5b7a6347763116fb6e10f6a8563b6c40bb389a0a982f0a9f47a",
    verdict: "valid",
  },
  {
    file: "containers-image-v2s1.manifest.json",
    digest: "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000",
    verdict: "invalid",
  },
  {
    file: "containers-image-v2s1-unsigned.manifest.json",
    digest: "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000",
    verdict: "unsigned",
  },
  {
    file: "containers-image-schema1.json",
    digest: "sha256:5a26403ca5f91c7f04300e397efc83960afbfe2d2b34314383a53e267a604455",
    verdict: "valid",
  },
  {
    // Compact JSON with formatTail "fQ" ("}"); the README gives no digest, this is sha256 of
    // bytes[:formatLength] + "}" as computed independently with Python.
    file: "containers-image-oci1-to-schema1.json",
    digest: "sha256:6feeaff9d4420e29f96881eb712e8762c28615666340222c8e054259f9bc87d4",
    verdict: "valid",
  },
];

function fixtureBytes(file: string, row?: true): string {
  const text = readFixture(file);
  return row ? ((JSON.parse(text) as { json_data: string }[])[0]?.json_data ?? "") : text;
}

describe("schema1 fixtures", () => {
  for (const { file, digest, verdict, row } of FIXTURES) {
    it(`${file}: digest ${digest.slice(7, 19)}…, signature ${verdict}`, async () => {
      const bytes = fixtureBytes(file, row);
      const manifest = parseSchema1(bytes);
      assert.equal(manifest.digest, digest);
      assert.equal(schema1Digest(bytes), digest);
      assert.equal(
        manifest.mediaType,
        verdict === "unsigned" ? MEDIA_TYPES.schema1 : MEDIA_TYPES.schema1Signed,
      );
      assert.equal((await verifySchema1Signatures(manifest)).status, verdict);
      assert.equal(parseManifest(bytes).digest, digest);
    });
  }

  it('containers-image-v2s1-invalid-signatures.manifest.json ("signatures": 1) is malformed', () => {
    const bytes = readFixture("containers-image-v2s1-invalid-signatures.manifest.json");
    for (const parse of [parseSchema1, schema1Digest, parseManifest]) {
      assert.throws(
        () => parse(bytes),
        (err: unknown) =>
          err instanceof MalformedManifestError &&
          err.code === "invalid_signatures" &&
          err.field === "/signatures",
      );
    }
  });
});

const LAYER = { blobSum: "sha256:" + "a".repeat(64), v1: `{"id":"${"b".repeat(64)}"}` };
function manifestText(overrides: Record<string, unknown>): string {
  return JSON.stringify({
    name: "ns/repo",
    tag: "latest",
    schemaVersion: 1,
    fsLayers: [{ blobSum: LAYER.blobSum }],
    history: [{ v1Compatibility: LAYER.v1 }],
    ...overrides,
  });
}
const protectedOf = (header: object) => Buffer.from(JSON.stringify(header)).toString("base64url");
const signature = (header: object) => [
  { header: { alg: "ES256", jwk: {} }, signature: "AA", protected: protectedOf(header) },
];

/** Each malformed class of issue 3, with the reason code and field it must be reported with. */
const MALFORMED: [string, string, MalformedCode, string][] = [
  ["empty", "", "empty", ""],
  ["whitespace only", " \n", "empty", ""],
  ["not JSON", "{not json", "invalid_json", ""],
  ["a JSON list", "[]", "not_object", ""],
  ["{}", "{}", "unknown_kind", ""],
  ["an unknown shape", '{"schemaVersion": 3, "foo": 1}', "unknown_kind", ""],
  ['"signatures": 1', manifestText({ signatures: 1 }), "invalid_signatures", "/signatures"],
  ["an empty signature list", manifestText({ signatures: [] }), "invalid_signatures", "/signatures"],
  [
    "a signature without header",
    manifestText({ signatures: [{ signature: "", protected: "" }] }),
    "invalid_signatures",
    "/signatures/0/header",
  ],
  ["a missing tag", manifestText({ tag: undefined }), "schema_violation", "/tag"],
  ["fsLayers/history length mismatch", manifestText({ history: [] }), "layer_count_mismatch", "/history"],
  [
    "v1 JSON that does not parse",
    manifestText({ history: [{ v1Compatibility: "{" }] }),
    "invalid_v1_json",
    "/history/0/v1Compatibility",
  ],
  [
    "v1 JSON that is not an object",
    manifestText({ history: [{ v1Compatibility: "[1]" }] }),
    "v1_not_object",
    "/history/0/v1Compatibility",
  ],
  [
    "v1 JSON without id",
    manifestText({ history: [{ v1Compatibility: "{}" }] }),
    "v1_missing_id",
    "/history/0/v1Compatibility",
  ],
  [
    "a bad blobSum",
    manifestText({ fsLayers: [{ blobSum: "nope" }] }),
    "invalid_blob_sum",
    "/fsLayers/0/blobSum",
  ],
  [
    "a blobSum that is not a string",
    manifestText({ fsLayers: [{ blobSum: 7 }] }),
    "schema_violation",
    "/fsLayers/0/blobSum",
  ],
  [
    "a protected header without formatLength",
    manifestText({ signatures: signature({ formatTail: "Cn0" }) }),
    "invalid_protected_header",
    "/signatures/0/protected",
  ],
  [
    "a protected header with a string formatLength",
    manifestText({ signatures: signature({ formatLength: "3", formatTail: "Cn0" }) }),
    "invalid_protected_header",
    "/signatures/0/protected",
  ],
  [
    "a protected header without formatTail",
    manifestText({ signatures: signature({ formatLength: 3 }) }),
    "invalid_protected_header",
    "/signatures/0/protected",
  ],
  [
    "a protected header that is not JSON",
    manifestText({ signatures: [{ ...signature({})[0], protected: "bm9w" }] }),
    "invalid_protected_header",
    "/signatures/0/protected",
  ],
];

describe("malformed schema1 input", () => {
  for (const [label, bytes, code, field] of MALFORMED) {
    it(`refuses ${label} with ${code} at '${field}'`, () => {
      assert.throws(
        () => parseManifest(bytes),
        (err: unknown) => {
          assert.ok(err instanceof MalformedManifestError, String(err));
          assert.equal(err.code, code);
          assert.equal(err.field, field);
          return true;
        },
      );
    });
  }

  it("never crashes on random byte strings (property)", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const base = manifestText({});
    for (let i = 0; i < 2000; i++) {
      const chars = [...base];
      for (let k = 0; k < 1 + (next() % 4); k++)
        chars[next() % chars.length] = String.fromCharCode(next() % 128);
      try {
        parseManifest(chars.join(""));
      } catch (err) {
        assert.ok(err instanceof MalformedManifestError, `unexpected ${String(err)}`);
      }
    }
  });
});
