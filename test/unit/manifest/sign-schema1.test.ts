import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSchema1 } from "../../../src/manifest/build-schema1.js";
import { MANIFEST_LAYOUT, pythonJsonDumps } from "../../../src/manifest/python-json-writer.js";
import { signSchema1, signSchema1Ascii } from "../../../src/manifest/sign-schema1.js";
import { createSigner, type Signer } from "../../../src/manifest/signer.js";
import { parsePythonJson } from "../../../src/manifest/python-json-parser.js";
import { isJsonObject } from "../../../src/manifest/json-value.js";
import { ecKey, rsaKey } from "./test-keys.js";

const TIME = new Date("2021-03-04T05:06:07.890Z");

/** Quay's way: the whole document dumped again with the signature block as its last key. */
function reference(unsigned: string, signed: string): string {
  const document = parsePythonJson(signed);
  assert.ok(isJsonObject(document));
  const payload = parsePythonJson(unsigned);
  assert.ok(isJsonObject(payload));
  payload.set("signatures", document.get("signatures") ?? null);
  return pythonJsonDumps(payload, MANIFEST_LAYOUT);
}

const unsigned = buildSchema1({
  name: "ns/répo",
  tag: "v1",
  layers: [
    { blobSum: `sha256:${"a".repeat(64)}`, v1Compatibility: `{"id":"${"b".repeat(64)}","author":"Öne"}` },
  ],
});

describe("signSchema1", () => {
  for (const [alg, key] of [
    ["RS256", rsaKey()],
    ["ES256", ecKey()],
  ] as const) {
    it(`writes the signature block as Python dumps it (${alg}), for a signer seen before too`, async () => {
      const signer = createSigner(key);
      for (const s of [signer, { ...signer }, signer]) {
        const signed = await signSchema1(unsigned, s, TIME);
        assert.equal(signed, reference(unsigned, signed));
        assert.ok(
          signed.startsWith(unsigned.slice(0, -2) + ',\n   "signatures": [\n      {\n         "header"'),
        );
      }
    });
  }

  it("signs an ASCII payload given as bytes to the same text", async () => {
    const bytes = Buffer.from(unsigned, "latin1");
    // PKCS#1 v1.5 signatures are deterministic: the whole text compares.
    const rsa = createSigner(rsaKey());
    assert.equal(await signSchema1Ascii(bytes, rsa, TIME), await signSchema1(unsigned, rsa, TIME));
    const ec = await signSchema1Ascii(bytes, createSigner(ecKey()), TIME);
    assert.equal(ec, reference(unsigned, ec));
    await assert.rejects(signSchema1Ascii(Buffer.from("{}"), rsa, TIME), /ending in/);
  });

  it("follows a signer whose JWK object is not frozen", async () => {
    const ec = createSigner(ecKey());
    const signer: Signer = { ...ec, publicJwk: { ...ec.publicJwk } };
    const first = await signSchema1(unsigned, signer, TIME);
    assert.equal(first, reference(unsigned, first));
    const rsa = createSigner(rsaKey());
    const other: Signer = { ...rsa, publicJwk: rsa.publicJwk };
    const second = await signSchema1(unsigned, other, TIME);
    assert.equal(second, reference(unsigned, second));
    assert.ok(second.includes('"alg": "RS256"'));
  });
});
