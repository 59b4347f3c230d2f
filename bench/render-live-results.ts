// Renders bench/results/live.md and README's live section again from live.json: for a change of the
// report without a new run. Usage: tsx bench/render-live-results.ts [results dir]
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeLiveResults } from "./io/live-results-file.js";
import type { LiveResult } from "./lib/live-result.js";

const dir = process.argv[2] ?? "bench/results";
const result = JSON.parse(await readFile(join(dir, "live.json"), "utf8")) as LiveResult;
await writeLiveResults(result, dir, dir === "bench/results");
process.stdout.write(`${join(dir, "live.md")} rendered\n`);
