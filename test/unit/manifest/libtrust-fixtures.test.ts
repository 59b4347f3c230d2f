import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { flattenedVerify, importJWK, type JWK } from "jose";
import { inspectManifest as inspectReport } from "../../../src/cli/manifest-inspect.js";
import { MalformedManifestError } from "../../../src/manifest/errors.js";
import { parseSchema1 } from "../../../src/manifest/parse-schema1.js";
import { readDocument } from "../../../src/manifest/read-document.js";
import { inspectManifest as inspectFacts } from "../../../src/verify/inspect-manifest.js";
import { REPO_ROOT } from "../../support/repo-root.js";
import { libtrustFixtures } from "../../support/libtrust-fixtures.js";

const DIR = path.join(REPO_ROOT, "test/fixtures/libtrust");
const SIGNED_NAME = "library/app";
const SIGNED_LAYERS = [`sha256:${"2".repeat(64)}`, `sha256:${"1".repeat(64)}`]; // base first

type Verdict =
  | { error: string; field: string }
  | { signature: "valid" | "invalid" | "unsigned"; problems: string[] }
  | { kind: string };

/** Docker's verdict on each file (test/fixtures/libtrust/README.md says why). */
const EXPECTED: Record<string, Verdict> = {
  "signed.json": { signature: "valid", problems: [] },
  "conflicting-format-length.json": { signature: "invalid", problems: ["conflicting_format"] },
  "conflicting-format-tail.json": { signature: "invalid", problems: ["conflicting_format"] },
  "kid-mismatch.json": { signature: "valid", problems: ["kid_mismatch"] },
  "no-kid.json": { signature: "valid", problems: [] },
  "extra-data-layers.json": { signature: "valid", problems: ["unsigned_content"] },
  "extra-data-name-tag.json": { signature: "valid", problems: ["unsigned_content"] },
  "extra-data-unknown-member.json": { signature: "valid", problems: [] },
  "tail-adds-members.json": { signature: "valid", problems: ["unsigned_content"] },
  "schema1-with-manifests.json": { error: "ambiguous_kind", field: "/manifests" },
  "schema2-with-fslayers.json": { error: "ambiguous_kind", field: "/fsLayers" },
  "oci-manifest-with-manifests.json": { error: "ambiguous_kind", field: "/manifests" },
  "oci-index-with-layers.json": { error: "ambiguous_kind", field: "/layers" },
  "oci-manifest-with-null-manifests.json": { kind: "oci-manifest" },
  "invalid-utf8-byte.json": { error: "invalid_utf8", field: "" },
  "utf8-surrogate.json": { error: "invalid_utf8", field: "" },
};

/** The verdict `manifest inspect` gives, checking on the way that schema1 shows the signed fields. */
async function reportVerdict(bytes: Uint8Array): Promise<Verdict> {
  try {
    const report = await inspectReport(bytes);
    if (report.kind !== "schema1") return { kind: report.kind };
    assert.equal(report.name, SIGNED_NAME);
    // Only the tail-adds-members case signs another tag than the document shows: the signed one is shown.
    assert.ok(report.tag === "latest" || report.tag === "signed-only");
    assert.deepEqual(report.layers, SIGNED_LAYERS);
    return {
      signature: report.signature?.status ?? "unsigned",
      problems: (report.problems ?? []).map((p) => p.code),
    };
  } catch (err) {
    if (!(err instanceof MalformedManifestError)) throw err;
    return { error: err.code, field: err.field };
  }
}

/** The same verdict from the facts `verify` works from. */
async function factsVerdict(bytes: Uint8Array): Promise<Verdict> {
  const facts = await inspectFacts(bytes);
  if (!facts.readable) {
    const [, code = "", field = ""] = /^(\w+)(?: at (\S+))?:/.exec(facts.error) ?? [];
    return { error: code, field };
  }
  if (facts.kind !== "schema1") return { kind: facts.kind };
  assert.deepEqual([...facts.blobDigests].reverse(), SIGNED_LAYERS);
  return {
    signature: facts.signatures.status,
    problems: facts.pullFailures.map((p) => p.split(" ")[0] ?? ""),
  };
}

describe("libtrust fixtures (issue 11 §2)", () => {
  test("every file of the folder has an expected verdict", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
    assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    test(`${file}: docker's verdict through manifest inspect and verify's facts`, async () => {
      const bytes = readFileSync(path.join(DIR, file));
      assert.deepEqual(await reportVerdict(bytes), expected);
      assert.deepEqual(await factsVerdict(bytes), expected);
    });
  }

  test("the generator rebuilds every file with the same verdict", async () => {
    const generated = await libtrustFixtures();
    assert.deepEqual(generated.map((f) => f.file).sort(), Object.keys(EXPECTED).sort());
    for (const { file, bytes } of generated)
      assert.deepEqual(await reportVerdict(bytes), EXPECTED[file], file);
  });

  test("conflicting headers: each signature verifies over the payload its own header describes", async () => {
    for (const file of ["conflicting-format-length.json", "conflicting-format-tail.json"]) {
      const bytes = readFileSync(path.join(DIR, file));
      const document = JSON.parse(bytes.toString("utf8")) as {
        signatures: { protected: string; signature: string; header: { alg: string; jwk: JWK } }[];
      };
      assert.equal(document.signatures.length, 2);
      for (const signature of document.signatures) {
        const header = JSON.parse(Buffer.from(signature.protected, "base64url").toString("utf8")) as {
          formatLength: number;
          formatTail: string;
        };
        const payload = Buffer.concat([
          bytes.subarray(0, header.formatLength),
          Buffer.from(header.formatTail, "base64url"),
        ]);
        const key = await importJWK(signature.header.jwk, signature.header.alg);
        await flattenedVerify(
          {
            protected: signature.protected,
            header: { alg: signature.header.alg },
            payload: payload.toString("base64url"),
            signature: signature.signature,
          },
          key,
        );
      }
    }
  });

  test("the fields shown are those of the payload parsed on its own (the common case skips that parse)", () => {
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (!("signature" in expected)) continue;
      const parsed = parseSchema1(readFileSync(path.join(DIR, file)));
      const signed = readDocument(parsed.payload).document;
      assert.equal(parsed.name, signed.get("name"), file);
      assert.equal(parsed.tag, signed.get("tag"), file);
      const history = signed.get("history") as Map<string, unknown>[];
      assert.deepEqual(
        parsed.layers.map((l) => l.v1Compatibility),
        history.map((h) => h.get("v1Compatibility")),
        file,
      );
    }
  });

  test("a formatTail that adds a member: the payload's (signed) tag is shown, the difference reported", () => {
    const parsed = parseSchema1(readFileSync(path.join(DIR, "tail-adds-members.json")));
    assert.equal(parsed.tag, "signed-only");
    assert.deepEqual(
      parsed.signedFormProblems.map((p) => p.code),
      ["unsigned_content"],
    );
  });

  test("a name and tag repeated after the signatures: reported by name, the signed values shown", () => {
    const bytes = readFileSync(path.join(DIR, "extra-data-name-tag.json"));
    const parsed = parseSchema1(bytes);
    assert.equal(parsed.name, SIGNED_NAME);
    assert.deepEqual(
      parsed.signedFormProblems.map((p) => p.message),
      [
        "text outside the signed payload changes name, tag: Docker reads the signed values, skopeo and Quay the others",
      ],
    );
  });
});
