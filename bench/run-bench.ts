// npm run bench (issue 6): seeds synthetic registries into scratch databases, backfills each end to end
// with `backfill run` as a child process (RSA and EC keys, default settings), measures the limits in the
// same run (single-core signing, raw server-side insert, a one-tag-per-transaction baseline), evaluates
// the targets as ratios, then (unless --no-live) the live phases of `npm run bench:live` (the application
// workload alone and beside a backfill), and writes bench/results/latest.{json,md}, throughput.svg,
// live.{json,md} and README's sections.
// `npm run bench -- --help` lists the flags. The pure parts live in bench/lib (tested); this file and
// bench/io do the I/O.
import { mkdir } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { loadConfig } from "../src/config.js";
import { connect } from "../src/db/connect.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { assertBuilt, runChild, seedChild } from "./io/backfill-child.js";
import { deploymentEnv, describeDeploymentEnv } from "./io/deployment-env.js";
import { measurePerTagBaseline } from "./io/per-tag-baseline.js";
import { measureRawInsertRate } from "./io/raw-insert-rate.js";
import { deleteQueuePrefix } from "./io/redis-cleanup.js";
import { readRunSample, type RunSample } from "./io/run-sample.js";
import { adminUrl, createDatabase, dropDatabase, serverVersion } from "./io/scratch-database.js";
import { createBenchKeys } from "./io/signing-keys.js";
import { measureSigningRate } from "./io/signing-rate.js";
import { BenchUsageError, parseBenchOptions, USAGE, type BenchOptions } from "./lib/bench-options.js";
import type {
  BaselineLimit,
  BenchResult,
  PassResult,
  RawInsertLimit,
  ScaleOutRow,
  SigningLimit,
} from "./lib/bench-result.js";
import { evaluateTargets, referenceSize, targetInputsOf } from "./lib/evaluate-targets.js";
import { parseRunLog } from "./lib/parse-run-log.js";
import { passMetrics, throughputSeries } from "./lib/pass-metrics.js";
import { benchNotes } from "./lib/bench-notes.js";
import { startPostgresCpuMeter } from "./io/postgres-cpu.js";
import { measureScaleOut } from "./io/scale-out.js";
import { renderReport } from "./lib/render-report.js";
import { gitRevision } from "./io/git-revision.js";
import { measureLive } from "./io/live-bench.js";
import { writeLiveResults } from "./io/live-results-file.js";
import { parseLiveOptions } from "./lib/live-options.js";
import { writeRendered } from "./render-results.js";

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const defaults = loadConfig({});

/** What one bench invocation shares between its steps: scratch databases, keys, and what was measured. */
interface BenchSession {
  options: BenchOptions;
  admin: string;
  redisUrl: string;
  tag: string;
  keys: Awaited<ReturnType<typeof createBenchKeys>>;
  created: string[];
  passes: PassResult[];
  scaleOut: ScaleOutRow[];
  sample: RunSample | undefined;
  limits: { signing?: SigningLimit; rawInsert?: RawInsertLimit; baseline?: BaselineLimit };
}

async function scratch(s: BenchSession, name: string, template?: string): Promise<string> {
  s.created.push(name);
  return createDatabase(s.admin, name, template);
}

async function drop(s: BenchSession, name: string): Promise<void> {
  if (!s.options.keepDatabases) await dropDatabase(s.admin, name);
}

async function bench(options: BenchOptions, argv: readonly string[]): Promise<BenchResult> {
  assertBuilt();
  const s: BenchSession = {
    options,
    admin: adminUrl(),
    redisUrl: loadConfig().redisUrl,
    tag: String(process.pid),
    keys: await createBenchKeys(),
    created: [],
    passes: [],
    scaleOut: [],
    sample: undefined,
    limits: {},
  };
  const startedAt = new Date().toISOString();
  const measured = gitRevision(["src", "jobs", "migrations"]);
  const loadAvgStart = loadavg();
  // The baseline and the rate targets use the largest size up to 100,000 (the default 100,000).
  const reference = referenceSize(options.sizes);
  try {
    for (const size of options.sizes) await benchSize(s, size, reference);
  } finally {
    await s.keys.remove();
    if (!options.keepDatabases) {
      for (const name of s.created) await dropDatabase(s.admin, name).catch(() => undefined);
    }
  }
  const command = ["npm run bench", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" ");
  // The live phases with bench:live's defaults, on the topology the machine allows.
  const live = options.live
    ? await measureLive(
        {
          ...parseLiveOptions([]),
          outDir: options.outDir,
          readme: options.readme,
          keepDatabases: options.keepDatabases,
        },
        { command, revision: measured },
      )
    : undefined;
  const { passes } = s;
  const limits = { signing: s.limits.signing, rawInsert: s.limits.rawInsert, baseline: s.limits.baseline };
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    revision: measured,
    command,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      totalMemBytes: totalmem(),
      node: process.versions.node,
      postgres: await serverVersion(s.admin),
      loadAvgStart,
      loadAvgEnd: loadavg(),
    },
    settings: {
      sizes: options.sizes,
      batchSize: defaults.batchSize,
      concurrency: defaults.concurrency,
      deploymentEnv: describeDeploymentEnv(deploymentEnv()),
      algs: options.algs,
    },
    passes,
    limits,
    targets: evaluateTargets(targetInputsOf({ passes, limits })),
    ...(options.workers.length > 0 ? { scaleOut: s.scaleOut } : {}),
    ...(live ? { live } : {}),
    notes: benchNotes(passes, reference),
  };
}

/** One registry size: seed it once, backfill a copy per key algorithm, then the limits that use it. */
async function benchSize(s: BenchSession, size: number, reference: number): Promise<void> {
  const seedDb = `bench_${s.tag}_seed_${size}`;
  const seedUrl = await scratch(s, seedDb);
  say(`seeding ${size.toLocaleString("en-US")} tags`);
  const seeded = await seedChild(seedUrl, size);
  const algs = size > reference ? s.options.largeAlgs : s.options.algs;
  for (const alg of algs) await benchPass(s, size, alg, seedDb, seeded.wallMs);
  if (s.options.limits && s.sample !== undefined && s.limits.signing === undefined) {
    await measureSigningAndInsert(s, s.sample);
  }
  if (s.options.limits && s.options.baselineTags > 0 && size === reference) {
    say(`limits: per-tag baseline, ${s.options.baselineTags} tags`);
    const baseDb = `bench_${s.tag}_baseline_${size}`;
    const baseUrl = await scratch(s, baseDb, seedDb);
    const candidates = s.passes.find((p) => p.size === size)?.metrics.tags ?? size;
    s.limits.baseline = await measurePerTagBaseline({
      url: baseUrl,
      size,
      candidates,
      sampleTags: s.options.baselineTags,
      keyPem: s.keys.pems.RS256,
      libraryNamespace: defaults.libraryNamespace,
      maxBytes: defaults.manifestMaxBytes,
    });
    await drop(s, baseDb);
  }
  if (size === reference) await benchScaleOut(s, size, seedDb);
  await drop(s, seedDb);
}

/** `backfill run` as a child on a copy of the seeded registry, with one key algorithm. */
async function benchPass(
  s: BenchSession,
  size: number,
  alg: BenchOptions["algs"][number],
  seedDb: string,
  seedMs: number,
): Promise<void> {
  const runDb = `bench_${s.tag}_run_${size}_${alg.toLowerCase()}`;
  const url = await scratch(s, runDb, seedDb);
  const loadAvgAtStart = loadavg();
  const prefix = `bench-${s.tag}-${size}-${alg.toLowerCase()}`;
  say(`backfill run, ${size.toLocaleString("en-US")} tags, ${alg}`);
  const meter = await startPostgresCpuMeter(s.admin, [runDb]);
  const child = await runChild(url, {
    alg,
    keyFile: s.keys.files[alg],
    prefix,
    ...(s.options.cpuProfDir === undefined ? {} : { cpuProfDir: s.options.cpuProfDir }),
  });
  const pgCpu = await meter.stop();
  await deleteQueuePrefix(s.redisUrl, prefix);
  const log = parseRunLog(child.stderr);
  const metrics = passMetrics(log, child.wallMs, child.peakRssBytes);
  s.passes.push({ size, alg, seedMs, loadAvgAtStart, metrics, throughput: throughputSeries(log), pgCpu });
  const pgMs = metrics.tags > 0 ? (pgCpu.databaseSec * 1000) / metrics.tags : 0;
  say(
    `  ${metrics.tags} tags in ${(metrics.runMs / 1000).toFixed(1)} s: ${metrics.tagsPerSec.toFixed(1)} tags/s, ` +
      `PostgreSQL ${pgMs.toFixed(2)} ms CPU per tag`,
  );
  if (s.sample === undefined && metrics.tags > 0) s.sample = await readRunSample(url);
  await drop(s, runDb);
}

/** The single-core signing rate and the raw server-side insert rate, over what the first run wrote. */
async function measureSigningAndInsert(s: BenchSession, sample: RunSample): Promise<void> {
  say("limits: single-core signing");
  // The median-sized generated manifest of the run.
  const sizes = sample.manifests.slice().sort((a, b) => a.length - b.length);
  const payload = Buffer.from(sizes[Math.floor(sizes.length / 2)] ?? "{}", "utf8");
  s.limits.signing = measureSigningRate(s.keys.pems, payload);
  if (s.options.rawInsertTags <= 0) return;
  say("limits: raw server-side insert");
  const rawDb = `bench_${s.tag}_raw`;
  const rawUrl = await scratch(s, rawDb);
  await seedChild(rawUrl, 200);
  const db = connect(rawUrl, { max: 1 });
  await migrateToLatest(db);
  await db.destroy();
  s.limits.rawInsert = await measureRawInsertRate({
    url: rawUrl,
    blobsPerTag: sample.blobsPerManifest,
    manifestPool: sample.manifests,
    tagsPerRound: s.options.rawInsertTags,
    rounds: 3,
  });
  await drop(s, rawDb);
}

/** `--workers`: for each N, N worker processes on one run of a fresh copy of the seeded registry. */
async function benchScaleOut(s: BenchSession, size: number, seedDb: string): Promise<void> {
  const alg = s.options.algs.includes("ES256") ? "ES256" : (s.options.algs[0] ?? "ES256");
  for (const workers of s.options.workers) {
    const name = `bench_${s.tag}_workers_${workers}_${size}`;
    const url = await scratch(s, name, seedDb);
    say(`scale-out: ${workers} worker process(es), ${size.toLocaleString("en-US")} tags, ${alg}`);
    const row = await measureScaleOut({
      admin: s.admin,
      redisUrl: s.redisUrl,
      database: { name, url },
      size,
      alg,
      keyFile: s.keys.files[alg],
      workers,
      prefix: `bench-${s.tag}-workers-${workers}`,
      timeoutMs: Math.max(600_000, size * 30),
    });
    s.scaleOut.push(row);
    say(
      `  ${row.tags} tags in ${(row.spanMs / 1000).toFixed(1)} s: ${row.tagsPerSec.toFixed(1)} tags/s, ` +
        `PostgreSQL ${(row.pgCpuMsPerTag ?? 0).toFixed(2)} ms CPU per tag, ${row.pgCores.toFixed(2)} cores`,
    );
    await drop(s, name);
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (err) {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  const result = await bench(options, argv);
  await mkdir(options.outDir, { recursive: true });
  await writeRendered(result, options.outDir, options.readme);
  if (result.live) await writeLiveResults(result.live, options.outDir, options.readme);
  process.stdout.write(`${renderReport(result)}\n`);
  // FAIL is a finding, not a crash of the benchmark: the report carries it.
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
