import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { KNOWN_REASONS } from "../../src/backfill/reasons.js";
import { reasonsOf, type ReasonOutcome } from "../../src/reason-registry.js";
import { REPO_ROOT } from "../support/repo-root.js";

const doc = readFileSync(path.join(REPO_ROOT, "docs", "domain-rules.md"), "utf8");

/** The reasons operators select on must all be explained: a new code without a line in the doc fails. */
test("docs/domain-rules.md describes every outcome reason of reasons.ts", () => {
  // A table row naming the code: `| \`code\` | when … |`.
  const undocumented = KNOWN_REASONS.filter(
    (code) => !new RegExp(`^\\| \`${code}\` +\\| \\S`, "m").test(doc),
  );
  assert.deepEqual(undocumented, []);
});

/** Each outcome's section of the doc lists exactly the registry's reasons of that outcome. */
test("the reason tables of docs/domain-rules.md are those of src/reason-registry.ts", () => {
  const sections: [heading: string, outcome: ReasonOutcome][] = [
    ["### Broken", "broken"],
    ["### Mapped, with a note", "note"],
    ["### Skipped", "skip"],
    ["### Failed", "fail"],
    ["### Refused repairs", "refusal"],
  ];
  for (const [heading, outcome] of sections) {
    const start = doc.indexOf(`\n${heading}`);
    assert.ok(start >= 0, `no section ${heading}`);
    const next = doc.indexOf("\n#", start + 1);
    const section = doc.slice(start, next < 0 ? undefined : next);
    const codes = [...section.matchAll(/^\| `([a-z0-9_]+)` +\|/gm)].map((m) => m[1]);
    assert.deepEqual(codes.sort(), reasonsOf(outcome).sort(), heading);
  }
});
