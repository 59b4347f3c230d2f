// npm run bench:live (issue 14): the application workload (bench/io/app-workload.ts) measured alone and
// beside `backfill run` with the default throttling and with throttling off, on copies of one seeded
// registry; writes bench/results/live.{json,md} and README's live section. `npm run bench:live -- --help`.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { runWorkload } from "./io/app-workload.js";
import { assertBuilt, seedChild } from "./io/backfill-child.js";
import { backfillUnderWorkload } from "./io/live-phase.js";
import { deleteQueuePrefix } from "./io/redis-cleanup.js";
import { adminUrl, createDatabase, dropDatabase, serverVersion } from "./io/scratch-database.js";
import { createBenchKeys } from "./io/signing-keys.js";
import { LIVE_USAGE, LiveUsageError, parseLiveOptions, type LiveOptions } from "./lib/live-options.js";
import { p99Ratio, P99_GOAL, type LivePhase, type LiveResult } from "./lib/live-result.js";
import { renderLiveReadmeSection, renderLiveReport, replaceLiveReadmeSection } from "./lib/render-live.js";
import { DEFAULT_MIX } from "./lib/workload-plan.js";
import type { WorkloadOptions } from "./lib/workload-options.js";
import { loadConfig } from "../src/config.js";

const say = (line: string) => process.stderr.write(`bench:live: ${line}\n`);

function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "src", "jobs", "migrations", "bench"], {
      encoding: "utf8",
    });
    return dirty.trim() === "" ? head : `${head} + uncommitted changes`;
  } catch {
    return "unknown";
  }
}

function workloadOptions(options: LiveOptions, url: string): WorkloadOptions {
  return {
    databaseUrl: url,
    seconds: options.seconds,
    rate: options.rate,
    mix: { ...DEFAULT_MIX },
    connections: 8,
    maxInFlight: 200,
    seed: 1,
  };
}

function phaseLine(p: LivePhase): string {
  const w = p.workload.all;
  const b = p.backfill;
  const backfill = b
    ? `; backfill ${b.tags} tags at ${b.tagsPerSec.toFixed(1)} tags/s, throttled ${(b.throttledFraction * 100).toFixed(0)}%`
    : "";
  return `  ${p.name}: ${w.count} ops, p50 ${w.p50} ms, p99 ${w.p99} ms, errors ${w.errors}${backfill}`;
}

async function phases(options: LiveOptions, admin: string, tag: string, created: string[]) {
  const seedDb = `bench_${tag}_live_seed`;
  const scratch = async (name: string, template?: string) => {
    created.push(name);
    return createDatabase(admin, name, template);
  };
  const seedUrl = await scratch(seedDb);
  say(`seeding ${options.tags.toLocaleString("en-US")} tags`);
  const seeded = await seedChild(seedUrl, options.tags);
  const keys = await createBenchKeys();
  const out: LivePhase[] = [];
  try {
    const aloneUrl = await scratch(`bench_${tag}_live_alone`, seedDb);
    say(`(a) the workload alone, ${options.seconds} s at ${options.rate}/s`);
    const loadAlone = loadavg();
    const alone = await runWorkload(workloadOptions(options, aloneUrl));
    out.push({ name: "alone", loadAvgAtStart: loadAlone, workload: alone });
    say(phaseLine(out[0] as LivePhase));
    for (const throttling of ["default", "off"] as const) {
      const url = await scratch(`bench_${tag}_live_${throttling}`, seedDb);
      const prefix = `bench-live-${tag}-${throttling}`;
      say(
        `(${throttling === "default" ? "b" : "c"}) the workload beside backfill run, throttling ${throttling}`,
      );
      const measured = await backfillUnderWorkload(
        url,
        throttling,
        { keyFile: keys.files.RS256, prefix, targetBatchSeconds: options.targetBatchSeconds },
        workloadOptions(options, url),
      );
      await deleteQueuePrefix(loadConfig().redisUrl, prefix);
      const phase: LivePhase = {
        name: throttling === "default" ? "backfill, default throttling" : "backfill, throttling off",
        ...measured,
      };
      out.push(phase);
      say(phaseLine(phase));
      if (!options.keepDatabases) await dropDatabase(admin, `bench_${tag}_live_${throttling}`);
    }
    say(`(a') the workload alone again, ${options.seconds} s`);
    const loadAfter = loadavg();
    const after = await runWorkload(workloadOptions(options, aloneUrl));
    out.push({ name: "alone, after", loadAvgAtStart: loadAfter, workload: after });
    say(phaseLine(out.at(-1) as LivePhase));
  } finally {
    await keys.remove();
  }
  return { phases: out, seedMs: seeded.wallMs };
}

function notes(options: LiveOptions): string[] {
  return [
    "Each phase ran on its own copy (CREATE DATABASE … TEMPLATE) of the one seeded registry, so each backfill had every tag to do.",
    "Open loop: operations start on schedule whatever the earlier ones are doing, and latency counts from when an operation was due.",
    "Under a backfill the workload runs from the run's start (its batches cut) to the process's exit; alone it runs " +
      `${options.seconds} s. Before the backfill the new-model tag lookups miss (no \`tag\` rows yet); during it they increasingly hit.`,
    "Throttling off: every threshold set out of reach (replica lag, transaction age, lock waiters, connection use) and the response-time probe off. Default: the variables' defaults (database response over 50 ms included).",
    "The backfill, PostgreSQL, Redis and the workload share the machine's cores: the backfill's signing and the database's work compete with the workload for CPU; only the response-time probe (median of 3 index lookups) sees it.",
    "The ratios divide by the first phase alone; the workload alone again at the end (same database, after the " +
      "other phases) shows how far the shared machine's load moved the baseline meanwhile.",
    "Batch durations come from the runs' batch.completed lines; the first batches run at the starting size before the adaptive size has measured any.",
  ];
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${LIVE_USAGE}\n`);
    return 0;
  }
  let options: LiveOptions;
  try {
    options = parseLiveOptions(argv);
  } catch (err) {
    if (err instanceof LiveUsageError) {
      process.stderr.write(`bench:live: ${err.message}\n${LIVE_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  assertBuilt();
  const admin = adminUrl();
  const created: string[] = [];
  const startedAt = new Date().toISOString();
  const loadAvgStart = loadavg();
  let measured;
  try {
    measured = await phases(options, admin, String(process.pid), created);
  } finally {
    if (!options.keepDatabases) {
      for (const name of created) await dropDatabase(admin, name).catch(() => undefined);
    }
  }
  const [alone, throttled, unthrottled] = measured.phases;
  if (!alone) throw new Error("the workload alone was not measured");
  const result: LiveResult = {
    startedAt,
    finishedAt: new Date().toISOString(),
    revision: revision(),
    command: ["npm run bench:live", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" "),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      postgres: await serverVersion(admin),
      loadAvgStart,
      loadAvgEnd: loadavg(),
    },
    settings: {
      tags: options.tags,
      rate: options.rate,
      aloneSeconds: options.seconds,
      targetBatchSeconds: options.targetBatchSeconds,
      seedMs: Math.round(measured.seedMs),
    },
    phases: measured.phases,
    ratios: {
      throttledP99: p99Ratio(alone.workload, throttled?.workload),
      unthrottledP99: p99Ratio(alone.workload, unthrottled?.workload),
    },
    goal: P99_GOAL,
    notes: notes(options),
  };
  await write(result, options);
  process.stdout.write(renderLiveReport(result));
  return 0;
}

async function write(result: LiveResult, options: LiveOptions): Promise<void> {
  await mkdir(options.outDir, { recursive: true });
  await writeFile(join(options.outDir, "live.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(options.outDir, "live.md"), renderLiveReport(result));
  if (!options.readme) return;
  let text = replaceLiveReadmeSection(await readFile("README.md", "utf8"), renderLiveReadmeSection(result));
  try {
    const prettier = await import("prettier");
    text = await prettier.format(text, {
      ...((await prettier.resolveConfig("README.md")) ?? {}),
      filepath: "README.md",
    });
  } catch {
    // Without Prettier the tables stay as generated.
  }
  await writeFile("README.md", text);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:live: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
