import assert from "node:assert/strict";
import { generateKeyPairSync, verify } from "node:crypto";
import { describe, test } from "node:test";
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
