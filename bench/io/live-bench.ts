// The live measurement (issue 14) that `npm run bench:live` runs alone and `npm run bench` runs after its
// passes: the application workload (bench/io/app-workload.ts) measured alone and beside `backfill run`
// with the default throttling and with throttling off, on copies of one seeded registry, on the topology
// bench/lib/live-topology.ts chooses.
import { cpus as machineCpus, loadavg } from "node:os";
import { loadConfig } from "../../src/config.js";
import type { LiveOptions } from "../lib/live-options.js";
import { p99Ratio, P99_GOAL, type LivePhase, type LiveResult } from "../lib/live-result.js";
import { chooseTopology, type Placement } from "../lib/live-topology.js";
import { DEFAULT_MIX } from "../lib/workload-plan.js";
import type { WorkloadOptions } from "../lib/workload-options.js";
import { runWorkload } from "./app-workload.js";
import { assertBuilt, seedChild } from "./backfill-child.js";
import { allCpus, pinProcess } from "./cpu-pinning.js";
import { backfillUnderWorkload } from "./live-phase.js";
import {
  makeServerRoot,
  postgresBinDir,
  PrivateServer,
  removeServerRoot,
  serverOwner,
} from "./private-postgres.js";
import { deleteQueuePrefix } from "./redis-cleanup.js";
import { prepareTemplate, settleServer } from "./settle-server.js";
import { adminUrl, createDatabase, dropDatabase, serverVersion } from "./scratch-database.js";
import { createBenchKeys } from "./signing-keys.js";

const say = (line: string) => process.stderr.write(`bench:live: ${line}\n`);

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
  const probe = b?.throttle?.probeMs.map((v) => (v === null ? "failed" : v.toFixed(1))).join(" ");
  const backfill = b
    ? `; backfill ${b.tags} tags at ${b.tagsPerSec.toFixed(1)} tags/s, throttled ${(b.throttledFraction * 100).toFixed(0)}%` +
      (probe ? `; probe ms: ${probe}` : "")
    : "";
  return `  ${p.name}: ${w.count} ops, p50 ${w.p50} ms, p99 ${w.p99} ms, errors ${w.errors}${backfill}`;
}

/** The backfill phases: b and c always, d with `--nice-ratio`. */
const BACKFILLS = [
  { letter: "b", throttling: "default", name: "backfill, default throttling" },
  { letter: "c", throttling: "off", name: "backfill, throttling off" },
  { letter: "d", throttling: "nice", name: "backfill, default throttling + nice ratio" },
] as const;

interface Setup {
  admin: string;
  tag: string;
  placement: Placement;
  created: string[];
}

async function phases(options: LiveOptions, s: Setup) {
  const seedDb = `bench_${s.tag}_live_seed`;
  const scratch = async (name: string, template?: string) => {
    s.created.push(name);
    return createDatabase(s.admin, name, template);
  };
  const seedUrl = await scratch(seedDb);
  say(`seeding ${options.tags.toLocaleString("en-US")} tags`);
  const seeded = await seedChild(seedUrl, options.tags);
  await prepareTemplate(seedUrl);
  const keys = await createBenchKeys();
  const out: LivePhase[] = [];
  const { workloadCpus, backfillCpus } = s.placement;
  // The workload runs in this process: from here on it shares CPU 0 with the database (separate topology).
  if (workloadCpus !== undefined) pinProcess(process.pid, workloadCpus);
  try {
    const aloneUrl = await scratch(`bench_${s.tag}_live_alone`, seedDb);
    await settleServer(s.admin);
    say(`(a) the workload alone, ${options.seconds} s at ${options.rate}/s`);
    const loadAlone = loadavg();
    const alone = await runWorkload(workloadOptions(options, aloneUrl));
    out.push({ name: "alone", loadAvgAtStart: loadAlone, workload: alone });
    say(phaseLine(out[0] as LivePhase));
    const backfills = options.niceRatio === undefined ? BACKFILLS.slice(0, 2) : BACKFILLS;
    for (const b of backfills) {
      const db = `bench_${s.tag}_live_${b.throttling}`;
      const url = await scratch(db, seedDb);
      await settleServer(s.admin);
      say(`(${b.letter}) the workload beside backfill run: ${b.name}`);
      const measured = await backfillUnderWorkload(
        url,
        b.throttling,
        {
          keyFile: keys.files.RS256,
          prefix: `bench-live-${s.tag}-${b.throttling}`,
          targetBatchSeconds: options.targetBatchSeconds,
          ...(backfillCpus === undefined ? {} : { cpus: backfillCpus }),
          ...(options.niceRatio === undefined ? {} : { niceRatio: options.niceRatio }),
        },
        workloadOptions(options, url),
      );
      await deleteQueuePrefix(loadConfig().redisUrl, `bench-live-${s.tag}-${b.throttling}`);
      const phase: LivePhase = { name: b.name, ...measured };
      out.push(phase);
      say(phaseLine(phase));
      if (!options.keepDatabases) await dropDatabase(s.admin, db);
    }
    await settleServer(s.admin);
    say(`(a') the workload alone again, ${options.seconds} s`);
    const loadAfter = loadavg();
    const after = await runWorkload(workloadOptions(options, aloneUrl));
    out.push({ name: "alone, after", loadAvgAtStart: loadAfter, workload: after });
    say(phaseLine(out.at(-1) as LivePhase));
  } finally {
    if (workloadCpus !== undefined) pinProcess(process.pid, allCpus(machineCpus().length));
    await keys.remove();
  }
  return { phases: out, seedMs: seeded.wallMs };
}

function notes(options: LiveOptions, placement: Placement): string[] {
  const where =
    placement.topology === "separate"
      ? `Topology separate: a private PostgreSQL server (stock settings, started by the bench) and the workload pinned to CPU ${placement.databaseCpus ?? "?"}, the backfill process to CPU ${placement.backfillCpus ?? "?"} (taskset). ` +
        "Redis (the queue) and other jobs on the machine stay unpinned. In production the workers run on hosts of their own and the database's cores serve the application and the backfill's queries: what the workload can feel is the backfill's load on the database, not its signing."
      : "Topology shared: the backfill, PostgreSQL (DATABASE_URL's server), Redis and the workload share the machine's cores unpinned: the backfill's signing and JSON work compete with the database and the workload for CPU, which production (workers on hosts of their own) does not do.";
  return [
    "Each phase ran on its own copy (CREATE DATABASE … TEMPLATE) of the one seeded registry, so each backfill had every tag to do. The seeded registry was vacuumed (FREEZE, ANALYZE) before it was copied, and each phase started after a CHECKPOINT and once no autovacuum worker ran: the copy's WAL and the first reads' hint-bit writes are not measured.",
    "Open loop: operations start on schedule whatever the earlier ones are doing, and latency counts from when an operation was due.",
    "Under a backfill the workload runs from the run's start (its batches cut) to the process's exit; alone it runs " +
      `${options.seconds} s. Before the backfill the new-model tag lookups miss (no \`tag\` rows yet); during it they increasingly hit.`,
    "Throttling off: every threshold set out of reach (replica lag, transaction age, lock waiters, connection use), the response-time probe and the pacer off. Default: the variables' defaults (database response over 50 ms included, the pacer on); the nice-ratio phase rests by its fixed ratio with the pacer off.",
    where,
    "What the throttle saw comes from the runs' throttle.read lines (one per reading of the signals, every BACKFILL_THROTTLE_CHECK_SECONDS while batches are claimed), their throttle.started/ended lines and the pacer's pace.changed lines.",
    "The ratios divide by the first phase alone; the workload alone again at the end (same database, after the " +
      "other phases) shows how far the machine's load moved the baseline meanwhile.",
    "Batch durations come from the runs' batch.completed lines; the first batches run at the starting size before the adaptive size has measured any.",
    ...(options.niceRatio === undefined
      ? []
      : [
          `Phase (d): the default throttling with BACKFILL_NICE_RATIO=${options.niceRatio}: after each batch its worker slot rests ${options.niceRatio} × the batch's duration before claiming again (jobs/nice-rest.ts).`,
        ]),
  ];
}

/** Starts the private server of the separate topology, pinned; the caller stops it and removes `root`. */
async function privateServer(placement: Placement): Promise<{ server: PrivateServer; root: string }> {
  const owner = serverOwner();
  const root = makeServerRoot("bench-live", owner);
  try {
    const server = await PrivateServer.init(postgresBinDir(), owner, `${root}/data`, {
      ...(placement.databaseCpus === undefined ? {} : { cpus: placement.databaseCpus }),
    });
    return { server, root };
  } catch (err) {
    removeServerRoot(root);
    throw err;
  }
}

/**
 * The live measurement, on the topology `options.topology` asks for (or the machine's default): the
 * separate topology's server is started here and stopped before it returns. `run`: what ran it.
 */
export async function measureLive(
  options: LiveOptions,
  run: { command: string; revision: string },
): Promise<LiveResult> {
  assertBuilt();
  const cpus = machineCpus().length;
  const placement = chooseTopology(options.topology, cpus);
  say(`topology ${placement.topology}: ${placement.why}`);
  const own = placement.topology === "separate" ? await privateServer(placement) : undefined;
  const admin = own ? own.server.url() : adminUrl();
  const setup: Setup = { admin, tag: String(process.pid), placement, created: [] };
  const startedAt = new Date().toISOString();
  const loadAvgStart = loadavg();
  try {
    let measured;
    try {
      measured = await phases(options, setup);
    } finally {
      // A private server's databases go with it.
      if (!options.keepDatabases && !own) {
        for (const name of setup.created) await dropDatabase(admin, name).catch(() => undefined);
      }
    }
    const [alone, throttled, unthrottled] = measured.phases;
    const niced = measured.phases.find((p) => p.backfill?.throttling === "nice");
    if (!alone) throw new Error("the workload alone was not measured");
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      revision: run.revision,
      command: run.command,
      machine: {
        cpus,
        cpuModel: machineCpus()[0]?.model.trim() ?? "unknown",
        postgres: await serverVersion(admin),
        loadAvgStart,
        loadAvgEnd: loadavg(),
      },
      topology: { ...placement, server: own ? "private" : "shared" },
      settings: {
        tags: options.tags,
        rate: options.rate,
        aloneSeconds: options.seconds,
        targetBatchSeconds: options.targetBatchSeconds,
        seedMs: Math.round(measured.seedMs),
        ...(options.niceRatio === undefined ? {} : { niceRatio: options.niceRatio }),
      },
      phases: measured.phases,
      ratios: {
        throttledP99: p99Ratio(alone.workload, throttled?.workload),
        unthrottledP99: p99Ratio(alone.workload, unthrottled?.workload),
        ...(niced ? { niceP99: p99Ratio(alone.workload, niced.workload) } : {}),
      },
      goal: P99_GOAL,
      notes: notes(options, placement),
    };
  } finally {
    if (own) {
      await own.server.stop();
      removeServerRoot(own.root);
    }
  }
}
