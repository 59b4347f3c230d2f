import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { checkMappedTag } from "../../../src/verify/check-mapped-tag.js";
import { inspectManifest, type ManifestFacts } from "../../../src/verify/inspect-manifest.js";
import type { MappedTag } from "../../../src/verify/mapped-tag.js";
import { mappedTagFixture } from "./mapped-tag-fixture.js";
import { REPO_ROOT } from "../../support/repo-root.js";

const DIR = path.join(REPO_ROOT, "test/fixtures/libtrust");
const LEAF_ID = "b".repeat(64);
// The signed layers of the fixtures, leaf first; the unsigned ones of extra-data-layers.json are 3 and 4.
const SIGNED_SUMS = [`sha256:${"1".repeat(64)}`, `sha256:${"2".repeat(64)}`];

/** A tag mapped to the fixture as a stored manifest (no outcome of this project), rows otherwise right. */
function mapped(facts: ManifestFacts, outcome: MappedTag["outcome"] = null): MappedTag {
  return mappedTagFixture(facts, LEAF_ID, { display: "library/app:latest", outcome });
}

/** verify's problem codes for the fixture mapped as a stored manifest, with the blob rows of its signed layers. */
async function verifyCodes(file: string, outcome: MappedTag["outcome"] = null, ourKeyId?: string) {
  const bytes = readFileSync(path.join(DIR, file));
  const facts = await inspectManifest(bytes);
  const problems = checkMappedTag(mapped(facts, outcome), {
    manifestBytes: bytes.toString("utf8"),
    manifestFacts: facts,
    blobs: SIGNED_SUMS.map((checksum, i) => ({
      manifestId: 5,
      blobId: 100 + i,
      repositoryId: 1,
      checksum,
      uploading: false,
      inRepository: true,
    })),
    chain: SIGNED_SUMS.map((checksum, i) => ({ storageId: 100 + i, checksum })),
    ourKeyId,
  });
  return problems.map((p) => `${p.code}: ${p.detail.split(":")[0] ?? ""}`);
}

describe("verify's rules on the libtrust fixtures (issue 11 §2)", () => {
  test("docker's verdict on each stored manifest", async () => {
    const cases: [string, string[]][] = [
      ["signed.json", []],
      ["no-kid.json", []],
      ["extra-data-unknown-member.json", []],
      [
        "conflicting-format-length.json",
        ["signature_invalid: signature 1 (ES256 JVWN", "stored_not_pullable: conflicting_format"],
      ],
      [
        "conflicting-format-tail.json",
        ["signature_invalid: signature 1 (ES256 JVWN", "stored_not_pullable: conflicting_format"],
      ],
      ["kid-mismatch.json", ["stored_not_pullable: kid_mismatch"]],
      // The blob rows are those of the signed layers: no blob_missing/blob_unexpected.
      ["extra-data-layers.json", ["stored_not_pullable: unsigned_content"]],
      ["extra-data-name-tag.json", ["stored_not_pullable: unsigned_content"]],
      ["tail-adds-members.json", ["stored_not_pullable: unsigned_content"]],
      ["schema1-with-manifests.json", ["manifest_unparseable: manifest 5"]],
      ["schema2-with-fslayers.json", ["manifest_unparseable: manifest 5"]],
      ["oci-manifest-with-manifests.json", ["manifest_unparseable: manifest 5"]],
      ["oci-index-with-layers.json", ["manifest_unparseable: manifest 5"]],
      ["invalid-utf8-byte.json", ["manifest_unparseable: manifest 5"]],
      ["utf8-surrogate.json", ["manifest_unparseable: manifest 5"]],
    ];
    for (const [file, expected] of cases) assert.deepEqual(await verifyCodes(file), expected, file);
  });

  test("the typed error names the field in verify's detail", async () => {
    const facts = await inspectManifest(readFileSync(path.join(DIR, "schema2-with-fslayers.json")));
    assert.ok(!facts.readable);
    assert.match(facts.error, /^ambiguous_kind at \/fsLayers: rejecting ambiguous manifest/);
  });

  test("a kid mismatch in a manifest counted as ours fails the gate", async () => {
    // The fixture's JWK claims key B's id; were that our key id, the manifest would pass as generated.
    const facts = await inspectManifest(readFileSync(path.join(DIR, "kid-mismatch.json")));
    assert.ok(facts.readable);
    const backfilled = { outcome: "backfilled", reason: null, detail: null };
    assert.deepEqual(await verifyCodes("kid-mismatch.json", backfilled, facts.firstKid), [
      "pull_check_failed: kid_mismatch",
    ]);
  });
});
