import assert from "node:assert/strict";
import { generateKeyPairSync, verify } from "node:crypto";
import { describe, test } from "node:test";
import { createSigner } from "../../../src/manifest/signer.js";
import { signSchema1 } from "../../../src/manifest/sign-schema1.js";
import { SignerUnavailableError } from "../../../src/signing/batch-signer.js";
import { createSignerPool } from "../../../src/signing/signer-pool.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });

describe("createSignerPool", () => {
  for (const mode of ["threads", "libuv"] as const) {
    test(`${mode}: RS256 and ES256 signatures verify, in order`, async () => {
      for (const [pair, alg] of [
        [rsa, "RS256"],
        [ec, "ES256"],
      ] as const) {
        const pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        const pool = createSignerPool(pem, { mode, threads: 2 });
        try {
          assert.equal(pool.alg, alg);
          const inputs = Array.from({ length: 50 }, (_, i) => Buffer.from(`input ${i}`));
          const signatures = await pool.signMany(inputs);
          inputs.forEach((input, i) => {
            const key =
              alg === "ES256" ? { key: pair.publicKey, dsaEncoding: "ieee-p1363" as const } : pair.publicKey;
            assert.ok(verify("sha256", input, key, signatures[i] as Uint8Array), `signature ${i}`);
          });
        } finally {
          await pool.close();
        }
      }
    });

    test(`${mode}: a JWK key file works; after close, signing is refused`, async () => {
      const jwk = JSON.stringify(rsa.privateKey.export({ format: "jwk" }));
      const pool = createSignerPool(jwk, { mode, threads: 1 });
      const [signature] = await pool.signMany([Buffer.from("x")]);
      assert.ok(verify("sha256", Buffer.from("x"), rsa.publicKey, signature as Uint8Array));
      await pool.close();
      await pool.close();
      await assert.rejects(async () => pool.sign(Buffer.from("x")), SignerUnavailableError);
    });
  }

  test("threads: signJws signs protected.base64url(payload), and signSchema1 through it gives the same bytes as inline", async () => {
    const payload = `{\n   "name": "ns/repo",\n   "tag": "v1",\n   "note": "${"é".repeat(3000)}"\n}`;
    for (const [pair, alg] of [
      [rsa, "RS256"],
      [ec, "ES256"],
    ] as const) {
      const pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const pool = createSignerPool(pem, { threads: 1 });
      try {
        assert.equal(typeof pool.signJws, "function", "the thread pool signs JWS inputs itself");
        const bytes = Buffer.from(payload, "utf8");
        const signature = await pool.signJws?.("eyJhIjoxfQ", bytes);
        assert.ok(signature);
        const input = Buffer.from(`eyJhIjoxfQ.${bytes.toString("base64url")}`, "ascii");
        const key =
          alg === "ES256" ? { key: pair.publicKey, dsaEncoding: "ieee-p1363" as const } : pair.publicKey;
        assert.ok(verify("sha256", input, key, signature), `${alg} JWS signature`);
        const time = new Date("2020-01-02T03:04:05Z");
        const viaPool = await signSchema1(payload, pool, time);
        const inline = await signSchema1(payload, createSigner(pair.privateKey), time);
        // PKCS#1 v1.5 is deterministic; ECDSA is not, so ES256 compares everything but the signature.
        const withoutSignature = (text: string) => text.replace(/"signature": "[^"]+"/, '"signature": ""');
        if (alg === "RS256") assert.equal(viaPool, inline);
        else assert.equal(withoutSignature(viaPool), withoutSignature(inline));
      } finally {
        await pool.close();
      }
    }
  });

  test("a weak key is refused before any thread starts, without quoting it", () => {
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    assert.throws(
      () => createSignerPool(weak),
      (err: Error) => /2048/.test(err.message) && !err.message.includes("PRIVATE"),
    );
  });
});
