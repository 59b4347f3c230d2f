import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { KNOWN_REASONS } from "../../src/backfill/reasons.js";
import { REPO_ROOT } from "../support/repo-root.js";

/** The reasons operators select on must all be explained: a new code without a line in the doc fails. */
test("docs/domain-rules.md describes every outcome reason of reasons.ts", () => {
  const doc = readFileSync(path.join(REPO_ROOT, "docs", "domain-rules.md"), "utf8");
  // A table row naming the code: `| \`code\` | when … |`.
  const undocumented = KNOWN_REASONS.filter(
    (code) => !new RegExp(`^\\| \`${code}\` +\\| \\S`, "m").test(doc),
  );
  assert.deepEqual(undocumented, []);
});
