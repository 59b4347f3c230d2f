// npm run bench (issue 6): seeds synthetic registries into scratch databases, backfills each end to end
// with `backfill run` as a child process (RSA and EC keys, default settings), measures the limits in the
// same run (single-core signing, raw server-side insert, a one-tag-per-transaction baseline), evaluates
// the targets as ratios, and writes bench/results/latest.{json,md}, throughput.svg and README's section.
// `npm run bench -- --help` lists the flags. The pure parts live in bench/lib (tested); this file and
// bench/io do the I/O.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { connect } from "../src/db/connect.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { runChild, seedChild } from "./io/backfill-child.js";
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
  SigningLimit,
} from "./lib/bench-result.js";
import { evaluateTargets } from "./lib/evaluate-targets.js";
import { parseRunLog } from "./lib/parse-run-log.js";
import { passMetrics, throughputSeries } from "./lib/pass-metrics.js";
import { renderReadmeSection, renderReport, replaceReadmeSection } from "./lib/render-report.js";
import { renderThroughputSvg } from "./lib/render-throughput-svg.js";

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const defaults = loadConfig({});

async function bench(options: BenchOptions, argv: readonly string[]): Promise<BenchResult> {
  const admin = adminUrl();
  const { redisUrl } = loadConfig();
  const tag = String(process.pid);
  const keys = await createBenchKeys();
  const created: string[] = [];
  const scratch = async (name: string, template?: string) => {
    created.push(name);
    return createDatabase(admin, name, template);
  };
  const drop = async (name: string) => {
    if (!options.keepDatabases) await dropDatabase(admin, name);
  };
  const startedAt = new Date().toISOString();
  const loadAvgStart = loadavg();
  const passes: PassResult[] = [];
  const notes: string[] = [];
  let sample: RunSample | undefined;
  let signing: SigningLimit | undefined;
  let rawInsert: RawInsertLimit | undefined;
  let baseline: BaselineLimit | undefined;
  // The baseline and the rate targets use the largest size up to 100,000 (the default 100,000).
  const referenceSize = Math.max(...options.sizes.filter((s) => s <= 100_000), options.sizes[0] ?? 0);
  try {
    for (const size of options.sizes) {
      const seedDb = `bench_${tag}_seed_${size}`;
      const seedUrl = await scratch(seedDb);
      say(`seeding ${size.toLocaleString("en-US")} tags`);
      const seeded = await seedChild(seedUrl, size);
      for (const alg of options.algs) {
        const runDb = `bench_${tag}_run_${size}_${alg.toLowerCase()}`;
        const url = await scratch(runDb, seedDb);
        const prefix = `bench-${tag}-${size}-${alg.toLowerCase()}`;
        say(`backfill run, ${size.toLocaleString("en-US")} tags, ${alg}`);
        const child = await runChild(url, {
          alg,
          keyFile: keys.files[alg],
          prefix,
          ...(options.cpuProfDir === undefined ? {} : { cpuProfDir: options.cpuProfDir }),
        });
        await deleteQueuePrefix(redisUrl, prefix);
        const log = parseRunLog(child.stdout);
        const metrics = passMetrics(log, child.wallMs, child.peakRssBytes);
        passes.push({ size, alg, seedMs: seeded.wallMs, metrics, throughput: throughputSeries(log) });
        say(
          `  ${metrics.tags} tags in ${(metrics.runMs / 1000).toFixed(1)} s: ${metrics.tagsPerSec.toFixed(1)} tags/s`,
        );
        if (sample === undefined && metrics.tags > 0) sample = await readRunSample(url);
        await drop(runDb);
      }
      if (options.limits && sample !== undefined && signing === undefined) {
        say("limits: single-core signing");
        // The median-sized generated manifest of the run.
        const sizes = sample.manifests.slice().sort((a, b) => a.length - b.length);
        const payload = Buffer.from(sizes[Math.floor(sizes.length / 2)] ?? "{}", "utf8");
        signing = measureSigningRate(keys.pems, payload);
        if (options.rawInsertTags > 0) {
          say("limits: raw server-side insert");
          const rawDb = `bench_${tag}_raw`;
          const rawUrl = await scratch(rawDb);
          await seedChild(rawUrl, 200);
          const db = connect(rawUrl, { max: 1 });
          await migrateToLatest(db);
          await db.destroy();
          rawInsert = await measureRawInsertRate({
            url: rawUrl,
            blobsPerTag: sample.blobsPerManifest,
            manifestPool: sample.manifests,
            tagsPerRound: options.rawInsertTags,
            rounds: 3,
          });
          await drop(rawDb);
        }
      }
      if (options.limits && options.baselineTags > 0 && size === referenceSize) {
        say(`limits: per-tag baseline, ${options.baselineTags} tags`);
        const baseDb = `bench_${tag}_baseline_${size}`;
        const baseUrl = await scratch(baseDb, seedDb);
        const candidates = passes.find((p) => p.size === size)?.metrics.tags ?? size;
        baseline = await measurePerTagBaseline({
          url: baseUrl,
          size,
          candidates,
          sampleTags: options.baselineTags,
          keyPem: keys.pems.RS256,
          libraryNamespace: defaults.libraryNamespace,
          maxBytes: defaults.manifestMaxBytes,
        });
        await drop(baseDb);
      }
      await drop(seedDb);
    }
  } finally {
    await keys.remove();
    if (!options.keepDatabases) {
      for (const name of created) await dropDatabase(admin, name).catch(() => undefined);
    }
  }

  const pass = (size: number, alg: string) => passes.find((p) => p.size === size && p.alg === alg)?.metrics;
  const peak = (size: number) => {
    const found = passes.filter((p) => p.size === size).map((p) => p.metrics.peakRssBytes);
    return found.length > 0 ? Math.max(...found) : undefined;
  };
  const targets = evaluateTargets({
    rs256TagsPerSec: pass(referenceSize, "RS256")?.tagsPerSec,
    es256TagsPerSec: pass(referenceSize, "ES256")?.tagsPerSec,
    signRatePerSec: signing?.rs256PerSec,
    rawInsertTagsPerSec: rawInsert?.tagsPerSec,
    baselineTagsPerSec: baseline?.tagsPerSec,
    runMs10k: pass(10_000, "RS256")?.runMs,
    runMs100k: pass(100_000, "RS256")?.runMs,
    peakRss100k: peak(100_000),
    peakRss1m: peak(1_000_000),
  });
  notes.push(
    `Rate targets use the ${referenceSize.toLocaleString("en-US")}-tag passes; the baseline ran on a copy of the same seeded registry.`,
    "The baseline's rate is extrapolated from its sample (the first unmapped tags by id); it is simplified in its favour " +
      "(no synthesised image rows, labels or outcome ledger; candidates listed once, untimed).",
    "The raw insert writes the seven mapping tables only; a real run also writes `image` rows for rewritten ids and " +
      "`backfill.tag_outcome`, and reads before it writes.",
    "Signing limit: node:crypto `sign` on one thread, wall clock, over a real signed manifest of the run as payload.",
  );
  for (const p of passes) {
    const problems = Object.entries(p.metrics.problems);
    if (problems.length > 0) {
      notes.push(
        `${p.size.toLocaleString("en-US")} ${p.alg}: warnings/errors logged: ${problems.map(([e, n]) => `${e} ×${n}`).join(", ")}.`,
      );
    }
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: ["npm run bench", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" "),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      totalMemBytes: totalmem(),
      node: process.versions.node,
      postgres: await serverVersion(admin),
      loadAvgStart,
      loadAvgEnd: loadavg(),
    },
    settings: {
      sizes: options.sizes,
      batchSize: defaults.batchSize,
      concurrency: defaults.concurrency,
      algs: options.algs,
    },
    passes,
    limits: { signing, rawInsert, baseline },
    targets,
    notes,
  };
}

async function writeResults(result: BenchResult, options: BenchOptions): Promise<void> {
  await mkdir(options.outDir, { recursive: true });
  await writeFile(join(options.outDir, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(options.outDir, "latest.md"), renderReport(result));
  const series = result.passes.map((p) => ({
    label: `${p.size.toLocaleString("en-US")} ${p.alg}`,
    points: p.throughput,
  }));
  await writeFile(
    join(options.outDir, "throughput.svg"),
    renderThroughputSvg(series, `backfill run: tags per second (${result.finishedAt.slice(0, 10)})`),
  );
  if (options.readme) {
    const readme = await readFile("README.md", "utf8");
    await writeFile("README.md", replaceReadmeSection(readme, renderReadmeSection(result)));
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
  await writeResults(result, options);
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
