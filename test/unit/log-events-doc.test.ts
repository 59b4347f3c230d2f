import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { renderLogEventsDoc, renderLogEventsSchema } from "../../scripts/log-events-docs.js";
import { LOG_EVENTS, type LogEventName } from "../../src/log-events/log-events.js";
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

test("each event's fields column names every field of its schema (or the event it is 'as')", () => {
  const named = (text: string) => new Set([...text.matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)].map((m) => m[1]));
  const missing: string[] = [];
  for (const [event, entry] of Object.entries(LOG_EVENTS)) {
    const text: string = entry.fields;
    const as = /\bas `([a-z]+\.[a-z_]+)`/.exec(text)?.[1];
    const inherited = as === undefined ? [] : Object.keys(LOG_EVENTS[as as LogEventName].schema.properties);
    const mentioned = named(text);
    for (const field of Object.keys(entry.schema.properties)) {
      if (!mentioned.has(field) && !inherited.includes(field)) missing.push(`${event}: ${field}`);
    }
  }
  assert.deepEqual(missing, []);
});
