// The dashboard's load of a big log (issue 15): writes BENCH_LINES (1,000,000 by default) realistic lines
// of the vocabulary to a temporary file, then a child process of its own streams the file line by line
// through the LogAggregator (and the /metrics histogram) and reports the load time, lines per second and
// its peak RSS, so the figure is the load's alone. Prints a short table, then one JSON line.
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DashboardMetrics } from "../src/dashboard/dashboard-metrics.js";
import { LogAggregator } from "../src/dashboard/log-aggregator.js";
import { dashboardLogLines } from "./lib/dashboard-log-lines.js";

async function writeLog(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  for (const line of dashboardLogLines(count)) {
    if (!out.write(`${line}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

async function load(file: string): Promise<void> {
  const startedAt = performance.now();
  const metrics = new DashboardMetrics();
  const aggregator = new LogAggregator({ onLine: metrics.observe });
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    aggregator.add(line);
  }
  const model = aggregator.model(aggregator.model(0).lastLineMs ?? 0);
  const loadMs = performance.now() - startedAt;
  const text = await metrics.render(model);
  const result = {
    lines: model.lines.read,
    skipped: model.lines.skipped,
    runs: model.runs.length,
    slots: model.series.length,
    batches: model.batchDuration.count,
    loadMs: Math.round(loadMs),
    linesPerSec: Math.round(model.lines.read / (loadMs / 1000)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    metricsBytes: text.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  const loadIndex = process.argv.indexOf("--load");
  const file = process.argv[loadIndex + 1];
  if (loadIndex >= 0 && file !== undefined) return load(file);
  const count = Number(process.env.BENCH_LINES ?? 1_000_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "dashboard-bench-"));
  try {
    const log = path.join(dir, "backfill.log");
    await writeLog(log, count);
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--load", log],
      {
        encoding: "utf8",
      },
    );
    if (child.status !== 0) throw new Error(`load failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim()) as Record<string, unknown>;
    const mib = Math.round(statSync(log).size / 1024 / 1024);
    console.log(`log        ${count} lines, ${mib} MiB`);
    console.log(`load       ${String(result.loadMs)} ms (${String(result.linesPerSec)} lines/s)`);
    console.log(`peak RSS   ${String(result.peakRssMiB)} MiB (the loading process)`);
    console.log(JSON.stringify({ ...result, logMiB: mib }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
