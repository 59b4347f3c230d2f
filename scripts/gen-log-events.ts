// Writes docs/log-events.schema.json and the event table of docs/log-events.md from src/log-events/log-events.ts.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderLogEventsDoc, renderLogEventsSchema } from "./log-events-docs.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const docPath = path.join(root, "docs", "log-events.md");
writeFileSync(path.join(root, "docs", "log-events.schema.json"), await renderLogEventsSchema());
writeFileSync(docPath, await renderLogEventsDoc(readFileSync(docPath, "utf8")));
