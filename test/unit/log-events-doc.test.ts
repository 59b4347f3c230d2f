import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { renderLogEventsDoc, renderLogEventsSchema } from "../../scripts/log-events-docs.js";
import { REPO_ROOT } from "../support/repo-root.js";

// The committed docs are what `npm run docs:log-events` makes of src/log-events/log-events.ts: an event added or
// changed there without regenerating them fails here.
const read = (name: string) => readFileSync(path.join(REPO_ROOT, "docs", name), "utf8");

test("docs/log-events.schema.json is generated from src/log-events/log-events.ts", async () => {
  assert.equal(read("log-events.schema.json"), await renderLogEventsSchema());
});

test("the event table of docs/log-events.md is generated from src/log-events/log-events.ts", async () => {
  const doc = read("log-events.md");
  assert.equal(doc, await renderLogEventsDoc(doc));
});
