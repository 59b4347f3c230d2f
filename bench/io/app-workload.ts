// The application workload standing in for Quay (issue 14): `npm run workload -- --help`. Issues Quay's
// hot queries at a fixed rate (open loop) against the database the backfill works on, and prints a JSON
// summary of their latencies on stdout. The bench's live mode runs it in-process (runWorkload).
import { pathToFileURL } from "node:url";
import pg from "pg";
import { LatencyRecorder, type WorkloadSummary } from "../lib/latency-summary.js";
import {
  parseWorkloadOptions,
  WORKLOAD_USAGE,
  WorkloadUsageError,
  type WorkloadOptions,
} from "../lib/workload-options.js";
import { seededRandom } from "../lib/seeded-random.js";
import { dueAtMs, dueCount, pickOperation } from "../lib/workload-plan.js";
import { loadWorkloadKeys, WorkloadQueries } from "./workload-queries.js";

/** Sessions of the workload are named so: never `backfill…`, which the throttle counts as its own. */
export const WORKLOAD_APPLICATION_NAME = "quay-workload";

const TICK_MS = 5;

/**
 * Runs the workload for `options.seconds` or until `signal` aborts, whichever is first; resolves once every
 * started operation has finished. Latency counts from when an operation was due, not when it started.
 */
export async function runWorkload(options: WorkloadOptions, signal?: AbortSignal): Promise<WorkloadSummary> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.connections,
    application_name: WORKLOAD_APPLICATION_NAME,
  });
  // An idle pooled client's error (the server ended it) must not crash the process.
  pool.on("error", () => undefined);
  try {
    const keys = await loadWorkloadKeys(pool);
    const queries = new WorkloadQueries(pool, keys, `${process.pid}${Date.now() % 100_000}`);
    const recorder = new LatencyRecorder();
    const random = seededRandom(options.seed);
    const inFlight = new Set<Promise<void>>();
    const endMs = options.seconds * 1000;
    const started = performance.now();
    let issued = 0;
    for (;;) {
      const elapsed = performance.now() - started;
      if (elapsed >= endMs || signal?.aborted === true) break;
      const due = dueCount(elapsed, options.rate);
      for (; issued < due; issued++) {
        const op = pickOperation(options.mix, random());
        const key = random();
        if (inFlight.size >= options.maxInFlight) {
          recorder.skipped++;
          continue;
        }
        const dueAt = started + dueAtMs(issued, options.rate);
        const task = queries.run(op, key).then(
          () => recorder.record(op, performance.now() - dueAt),
          (err: unknown) =>
            recorder.record(op, performance.now() - dueAt, err instanceof Error ? err.message : String(err)),
        );
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    const issuing = performance.now() - started;
    await Promise.all(inFlight);
    return recorder.summary(options.rate, issuing);
  } finally {
    await pool.end();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${WORKLOAD_USAGE}\n`);
    return 0;
  }
  let options: WorkloadOptions;
  try {
    options = parseWorkloadOptions(argv);
  } catch (err) {
    if (err instanceof WorkloadUsageError) {
      process.stderr.write(`workload: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  const summary = await runWorkload(options, stop.signal);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.all.errors > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`workload: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
