import { readFileSync } from "node:fs";
import path from "node:path";
import { renderLogEventsSchema } from "../../scripts/log-events-docs.js";
import type { FieldSchema } from "../../src/log-events/field-schemas.js";
import { LOG_EVENTS } from "../../src/log-events/log-events.js";
import type { LogQLVocabulary } from "./logql-check.js";
import { REPO_ROOT } from "./repo-root.js";

/** A field and, for an object field with declared properties, the names `| json` flattens them to (a_b). */
function fieldNames(name: string, schema: FieldSchema): string[] {
  const nested = Object.entries(schema.properties ?? {}).flatMap(([k, s]) => fieldNames(`${name}_${k}`, s));
  return [name, ...nested];
}

/** The stream labels the log shipper sets (every `target_label` of deploy/alloy/config.alloy). */
export function shipperLabels(): Set<string> {
  const config = readFileSync(path.join(REPO_ROOT, "deploy", "alloy", "config.alloy"), "utf8");
  return new Set(
    [...config.matchAll(/target_label\s*=\s*"([A-Za-z_][A-Za-z0-9_]*)"/g)].map((m) => m[1] ?? ""),
  );
}

/** The properties every line has: the top level of docs/log-events.schema.json, generated from the source. */
async function commonFields(): Promise<Set<string>> {
  const schema = JSON.parse(await renderLogEventsSchema()) as { properties: Record<string, unknown> };
  return new Set(Object.keys(schema.properties));
}

/** LOG_EVENTS as the LogQL check reads it. */
export async function logqlVocabulary(): Promise<LogQLVocabulary> {
  const events = new Map<string, Set<string>>();
  for (const [event, entry] of Object.entries(LOG_EVENTS)) {
    const props: Readonly<Record<string, FieldSchema>> = entry.schema.properties;
    events.set(event, new Set(Object.entries(props).flatMap(([name, s]) => fieldNames(name, s))));
  }
  return { events, common: await commonFields(), streamLabels: shipperLabels() };
}
