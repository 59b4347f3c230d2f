import { readFileSync } from "node:fs";
import path from "node:path";
import { renderLogEventsSchema } from "../../scripts/log-events-docs.js";
import type { FieldSchema } from "../../src/log-events/field-schemas.js";
import { LOG_EVENTS } from "../../src/log-events/log-events.js";
import type { LogQLVocabulary } from "./logql-check.js";
import { REPO_ROOT } from "./repo-root.js";

/**
 * Events and fields the dashboard queries although this branch does not log them yet: a parallel change adds
 * them. Each is used only while absent from LOG_EVENTS (or from the fields every line has); once the change
 * is merged the real vocabulary checks those queries instead, so a different name then fails.
 */
export const EXPECTED_FROM_PARALLEL_CHANGE = {
  events: { "worker.heartbeat": ["host", "pid", "actor", "leases", "lastBatchAt"] },
  common: ["host"],
} as const;

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

/** Which of EXPECTED_FROM_PARALLEL_CHANGE are still absent here (and so taken from that list). */
export async function stillExpected(): Promise<{ events: string[]; common: string[] }> {
  const common = await commonFields();
  return {
    events: Object.keys(EXPECTED_FROM_PARALLEL_CHANGE.events).filter((e) => !(e in LOG_EVENTS)),
    common: EXPECTED_FROM_PARALLEL_CHANGE.common.filter((f) => !common.has(f)),
  };
}

/** The properties every line has: the top level of docs/log-events.schema.json, generated from the source. */
async function commonFields(): Promise<Set<string>> {
  const schema = JSON.parse(await renderLogEventsSchema()) as { properties: Record<string, unknown> };
  return new Set(Object.keys(schema.properties));
}

/** LOG_EVENTS as the LogQL check reads it, plus what the parallel change adds while it is absent. */
export async function logqlVocabulary(): Promise<LogQLVocabulary> {
  const events = new Map<string, Set<string>>();
  for (const [event, entry] of Object.entries(LOG_EVENTS)) {
    const props: Readonly<Record<string, FieldSchema>> = entry.schema.properties;
    events.set(event, new Set(Object.entries(props).flatMap(([name, s]) => fieldNames(name, s))));
  }
  const missing = await stillExpected();
  for (const event of missing.events) {
    const fields =
      EXPECTED_FROM_PARALLEL_CHANGE.events[event as keyof typeof EXPECTED_FROM_PARALLEL_CHANGE.events];
    events.set(event, new Set(fields));
  }
  const common = await commonFields();
  for (const f of missing.common) common.add(f);
  return { events, common, streamLabels: shipperLabels() };
}
