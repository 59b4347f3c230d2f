import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PyInt } from "../../../src/manifest/json-value.js";
import { pullCheck, type PullCheckInput } from "../../../src/manifest/pull-check.js";
import { isRfc3339 } from "../../../src/manifest/rfc3339.js";

const hex = (c: string) => c.repeat(64);
const KID = "H4QD:5X6G:2G7T:QXGN:EH3X:3UQU:REXP:7LAH:SGCZ:4FBI:EUSI:3P7Z";
/** The JWK of Quay's validated_manifest.json, whose kid is its libtrust fingerprint. */
const JWK = {
  crv: "P-256",
  kid: KID,
  kty: "EC",
  x: "FowcV0YK1Dsn8FldhFJQJnxE247QUH43EchdZSmWrsQ",
  y: "4uUZBA9U1jC-AxmNzrwb1r9Oh2SXNXE3yqSpz7pwoiI",
};

/** A pullable two-layer manifest (leaf first), then one change per row. */
function manifest(
  change: (m: PullCheckInput & { layers: { blobSum: string; v1Compatibility: string }[] }) => void,
) {
  const m = {
    schemaVersion: new PyInt("1"),
    signatures: [{ jwk: JWK }],
    layers: [
      {
        blobSum: `sha256:${hex("1")}`,
        v1Compatibility: `{"id":"${hex("b")}","parent":"${hex("a")}","created":"2016-03-01T12:00:00.5+01:00","Size":12,"container_config":{"Cmd":["sh"]}}`,
      },
      { blobSum: `sha256:${hex("2")}`, v1Compatibility: `{"id":"${hex("a")}","Size":null}` },
    ],
  };
  change(m);
  return m;
}

const setV1 = (index: number, text: string) => (m: { layers: { v1Compatibility: string }[] }) => {
  const layer = m.layers[index];
  if (layer) layer.v1Compatibility = text;
};

const ROWS: [string, Parameters<typeof manifest>[0], string[]][] = [
  ["a pullable manifest", () => {}, []],
  ["unsigned", (m) => void (m.signatures = []), ["unsigned"]],
  [
    "a kid not in libtrust form",
    (m) => void (m.signatures = [{ jwk: { ...JWK, kid: "abc" } }]),
    ["invalid_kid"],
  ],
  [
    "a well-formed kid that is not the JWK's fingerprint",
    (m) =>
      void (m.signatures = [
        { jwk: { ...JWK, kid: "AARA:PFUD:3V54:7F2S:2P7E:WMCU:WRE7:KUYD:CFKH:UHZ7:AZ4I:UQEX" } },
      ]),
    ["kid_mismatch"],
  ],
  [
    "a JWK libtrust cannot read",
    (m) => void (m.signatures = [{ jwk: { kid: KID, kty: "OKP" } }]),
    ["invalid_jwk"],
  ],
  ["no kid (optional for libtrust)", (m) => void (m.signatures = [{ jwk: { ...JWK, kid: undefined } }]), []],
  [
    "a signed-form problem found by the parser",
    (m) => void (m.signedFormProblems = [{ code: "unsigned_content", message: "m" }]),
    ["unsigned_content"],
  ],
  ["schemaVersion 2", (m) => void (m.schemaVersion = new PyInt("2")), ["schema_version"]],
  ["no layers", (m) => void (m.layers = []), ["no_layers"]],
  [
    "a tarsum blobSum",
    (m) => void ((m.layers[0] as { blobSum: string }).blobSum = "tarsum+sha256:ab"),
    ["invalid_blob_sum"],
  ],
  ["v1 that is not JSON", setV1(0, "{"), ["v1_not_object", "broken_chain"]],
  ["an upper-case id", setV1(1, `{"id":"${hex("A")}"}`), ["invalid_id", "broken_chain"]],
  [
    "a created that is not RFC 3339",
    setV1(1, `{"id":"${hex("a")}","created":"2016-03-01 11:00:00"}`),
    ["invalid_created"],
  ],
  ["a float Size", setV1(1, `{"id":"${hex("a")}","Size":1.0}`), ["invalid_size"]],
  ["a Size beyond int64", setV1(1, `{"id":"${hex("a")}","Size":9223372036854775808}`), ["invalid_size"]],
  ["a string Cmd", setV1(1, `{"id":"${hex("a")}","container_config":{"Cmd":"sh"}}`), ["invalid_cmd"]],
  ["a root with a parent", setV1(1, `{"id":"${hex("a")}","parent":"${hex("f")}"}`), ["root_has_parent"]],
  [
    "a non-adjacent repeat",
    (m) => m.layers.push({ blobSum: `sha256:${hex("3")}`, v1Compatibility: `{"id":"${hex("b")}"}` }),
    ["broken_chain", "duplicate_id"],
  ],
  [
    "an adjacent repeat (allowed)",
    (m) => m.layers.push({ blobSum: `sha256:${hex("3")}`, v1Compatibility: `{"id":"${hex("a")}"}` }),
    [],
  ],
];

describe("pullCheck", () => {
  for (const [label, change, codes] of ROWS) {
    it(`${label}: ${codes.join(", ") || "no problem"}`, () => {
      assert.deepEqual(
        pullCheck(manifest(change)).map((p) => p.code),
        codes,
      );
    });
  }

  it("points at the offending layer", () => {
    const [problem] = pullCheck(manifest(setV1(1, `{"id":"${hex("a")}","Size":1.5}`)));
    assert.deepEqual(problem, {
      code: "invalid_size",
      message: "Size must be an integer that fits in int64",
      layer: 1,
    });
  });

  it("can skip the signed-form rule", () => {
    assert.deepEqual(
      pullCheck(
        manifest((m) => void (m.signatures = [])),
        { requireSignature: false },
      ),
      [],
    );
  });
});

describe("isRfc3339", () => {
  for (const ok of ["2016-03-01T12:00:00Z", "2016-03-01T12:00:00.123456789Z", "2016-02-29T23:59:59-07:00"]) {
    it(`accepts ${ok}`, () => assert.ok(isRfc3339(ok)));
  }
  for (const bad of [
    "2016-03-01",
    "2016-03-01T12:00Z",
    "2015-02-29T00:00:00Z",
    "2016-13-01T00:00:00Z",
    "2016-03-01t12:00:00z",
  ]) {
    it(`refuses ${bad}`, () => assert.ok(!isRfc3339(bad)));
  }
});
