import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Alg } from "../lib/bench-result.js";
import { pinned } from "../lib/live-topology.js";
import { deploymentEnv } from "./deployment-env.js";
import { runMeasured, startMeasured, type ChildOutcome, type MeasuredChild } from "./measured-child.js";

/** The compiled CLI the Dockerfile runs (`npm run build`; `npm run bench` builds it first). */
const MAIN = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));
const CLI = [MAIN];

/** Fails early, with what to do, when the compiled CLI is missing. */
export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm run bench does)`);
}

/**
 * The environment of a child: the caller's, without its heap, allocator and batch settings (the bench
 * measures the deployment's, whatever the caller's shell says), with the bench's database and `extra`.
 */
export function childEnv(
  url: string,
  extra: Record<string, string>,
  inherited: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...inherited };
  for (const name of [
    "NODE_OPTIONS",
    "MALLOC_ARENA_MAX",
    "BACKFILL_BATCH_SIZE",
    "BACKFILL_CONCURRENCY",
    "BACKFILL_MANIFEST_MAX_BYTES",
  ])
    delete env[name];
  return { ...env, DATABASE_URL: url, ...extra };
}

function failed(what: string, outcome: ChildOutcome): Error {
  return new Error(
    `${what} exited with ${outcome.signal ?? String(outcome.code)}:\n${outcome.stderrTail.trim() || outcome.stdout.slice(-2000)}`,
  );
}

/** `backfill seed --tags N` with the default defect rates, into a database of its own. */
export async function seedChild(url: string, tags: number): Promise<ChildOutcome> {
  const outcome = await runMeasured(
    "node",
    [...CLI, "seed", "--tags", String(tags)],
    childEnv(url, { LOG_LEVEL: "warn" }),
  );
  if (outcome.code !== 0) throw failed(`backfill seed --tags ${tags}`, outcome);
  return outcome;
}

/**
 * `backfill run` with the default settings (and `env`'s), the given key and queue prefix, its JSON lines on
 * stderr.
 */
export async function runChild(
  url: string,
  options: {
    alg: Alg;
    keyFile: string;
    prefix: string;
    cpuProfDir?: string;
    env?: Record<string, string>;
    /** `taskset -c` CPU list the child is pinned to (bench:live's separate topology). */
    cpus?: string;
  },
): Promise<ChildOutcome> {
  const prof = options.cpuProfDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir];
  const outcome = await runMeasured(
    ...pinned(options.cpus, "node", [...prof, ...CLI, "run", "--no-progress"]),
    childEnv(url, {
      // The deployment's heap and allocator limits (from the Dockerfile): peak RSS is a measurement.
      ...deploymentEnv(),
      BACKFILL_SIGNING_KEY_FILE: options.keyFile,
      BACKFILL_QUEUE_PREFIX: options.prefix,
      LOG_LEVEL: "info",
      ...options.env,
    }),
  );
  if (outcome.code !== 0) throw failed(`backfill run (${options.alg})`, outcome);
  return outcome;
}

/**
 * `backfill worker` with the default settings, the given key and queue prefix, and a ledger resync every
 * second (it is what enqueues the batches of a run created without `backfill run`); stopped by a signal.
 */
export function startWorkerChild(url: string, options: { keyFile: string; prefix: string }): MeasuredChild {
  return startMeasured(
    "node",
    [...CLI, "worker", "--resync-seconds", "1", "--heartbeat-seconds", "60"],
    childEnv(url, {
      ...deploymentEnv(),
      BACKFILL_SIGNING_KEY_FILE: options.keyFile,
      BACKFILL_QUEUE_PREFIX: options.prefix,
      LOG_LEVEL: "info",
    }),
  );
}
