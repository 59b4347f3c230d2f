import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from "node:crypto";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { SigningKeyError } from "../../../src/manifest/errors.js";
import { isLibtrustKeyId, libtrustKeyId } from "../../../src/manifest/libtrust-key-id.js";
import { createSigner, loadSigner } from "../../../src/manifest/signer.js";
import { ecKey, rsaKey } from "./test-keys.js";
import { readFixture } from "./vectors.js";

describe("libtrust key id", () => {
  // The fixtures were signed by Docker clients, whose kid is libtrust's: ours must agree on every one.
  for (const name of [
    "quay-validated_manifest.json",
    "containers-image-schema1.json",
    "containers-image-oci1-to-schema1.json",
  ]) {
    it(`matches the kid Docker wrote in ${name}`, () => {
      const manifest = JSON.parse(readFixture(name)) as {
        signatures: { header: { jwk: JsonWebKey & { kid: string } } }[];
      };
      const jwk = manifest.signatures[0]?.header.jwk;
      assert.ok(jwk);
      const spki = createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "der" });
      assert.equal(libtrustKeyId(spki), jwk.kid);
      assert.ok(isLibtrustKeyId(jwk.kid));
    });
  }
});

describe("createSigner", () => {
  it("uses RS256 for RSA and embeds the public JWK with a libtrust kid", () => {
    const signer = createSigner(rsaKey());
    assert.equal(signer.alg, "RS256");
    assert.ok(isLibtrustKeyId(signer.kid));
    assert.deepEqual(Object.keys(signer.publicJwk), ["e", "kid", "kty", "n"]);
    assert.equal(signer.publicJwk.kid, signer.kid);
  });

  it("uses ES256 for P-256 with 64-byte r||s signatures", async () => {
    const signer = createSigner(ecKey());
    assert.equal(signer.alg, "ES256");
    assert.deepEqual(Object.keys(signer.publicJwk), ["crv", "kid", "kty", "x", "y"]);
    assert.equal((await signer.sign(Buffer.from("x"))).length, 64);
  });

  it("refuses RSA keys under 2048 bits with a clear message", () => {
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    assert.throws(() => createSigner(weak), {
      name: "SigningKeyError",
      message: /1024 bits; use at least 2048/,
    });
  });

  it("refuses other curves, Ed25519 and public keys", () => {
    assert.throws(() => createSigner(ecKey("P-384")), /secp384r1.*RSA \(2048 bits or more\) or EC P-256/);
    assert.throws(() => createSigner(generateKeyPairSync("ed25519").privateKey), SigningKeyError);
    assert.throws(() => createSigner(createPublicKey(rsaKey())), /must be a private key/);
  });

  it("shows no private material when logged or serialised", () => {
    const key = rsaKey();
    const d = key.export({ format: "jwk" }).d ?? "";
    const signer = createSigner(key);
    assert.ok(d.length > 100);
    assert.ok(!JSON.stringify(signer).includes(d));
    assert.ok(!inspect(signer, { depth: 10, showHidden: true }).includes(d));
  });
});

describe("loadSigner", () => {
  const key = rsaKey();
  it("reads PKCS#8 and PKCS#1 PEM, SEC1 PEM and JWK", () => {
    const kid = createSigner(key).kid;
    assert.equal(loadSigner(key.export({ type: "pkcs8", format: "pem" }) as string).kid, kid);
    assert.equal(loadSigner(key.export({ type: "pkcs1", format: "pem" }) as string).kid, kid);
    assert.equal(loadSigner(JSON.stringify(key.export({ format: "jwk" }))).kid, kid);
    assert.equal(loadSigner(ecKey().export({ type: "sec1", format: "pem" }) as string).alg, "ES256");
  });

  it("never quotes the file in its errors", () => {
    const pem = key.export({ type: "pkcs8", format: "pem" }) as string;
    const secretLine = pem.split("\n")[3] ?? "";
    const jwk = JSON.stringify(key.export({ format: "jwk" }));
    for (const broken of [
      pem.replace(secretLine, secretLine.slice(5)),
      jwk.slice(0, -2),
      `{"kty":"RSA","d":"${"A".repeat(40)}"}`,
    ]) {
      assert.throws(
        () => loadSigner(broken),
        (err: unknown) => {
          assert.ok(err instanceof SigningKeyError);
          const everything = JSON.stringify({
            ...err,
            message: err.message,
            stack: err.stack,
            cause: err.cause,
          });
          assert.ok(!everything.includes(secretLine.slice(10, 40)), "no PEM line");
          assert.ok(!everything.includes("AAAAAAAAAA"), "no JWK member");
          assert.equal(err.cause, undefined);
          return true;
        },
      );
    }
  });

  it("refuses a public key with a message saying what to give", () => {
    const pub = createPublicKey(key).export({ type: "spki", format: "pem" }) as string;
    assert.throws(() => loadSigner(pub), /private key/);
    assert.throws(
      () => loadSigner(JSON.stringify(createPublicKey(key).export({ format: "jwk" }))),
      /no private part/,
    );
  });
});
