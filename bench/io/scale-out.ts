import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig } from "../../src/config.js";
import { connect } from "../../src/db/connect.js";
import { getRun } from "../../src/db/run-get.js";
import { startedBy } from "../../src/run/run-audit.js";
import { startOrResumeRun } from "../../src/run/start-run.js";
import type { Alg, ScaleOutRow } from "../lib/bench-result.js";
import { parseRunLog } from "../lib/parse-run-log.js";
import { scaleOutRow } from "../lib/scale-out-row.js";
import { startWorkerChild } from "./backfill-child.js";
import { startPostgresCpuMeter } from "./postgres-cpu.js";
import { processCpuSec } from "./postgres-cpu.js";
import { deleteQueuePrefix } from "./redis-cleanup.js";

export interface ScaleOutInput {
  admin: string;
  redisUrl: string;
  /** A fresh copy of the seeded registry for this step, its name and URL. */
  database: { name: string; url: string };
  size: number;
  alg: Alg;
  keyFile: string;
  workers: number;
  prefix: string;
  /** Longest wait for the run to end. */
  timeoutMs: number;
}

/** Creates the run the workers share, as `backfill run` would, without working on it. */
async function createRun(url: string): Promise<string> {
  const config = loadConfig({});
  const db = connect(url, { max: 1 });
  try {
    const started = await startOrResumeRun(db, {
      kind: "backfill",
      filters: {},
      options: {},
      dryRun: false,
      batchSize: config.batchSize,
      startedBy: startedBy("cli", ["bench", "--workers"]),
      config: { bench: true },
      actor: "bench",
    });
    return String(started.run.id);
  } finally {
    await db.destroy();
  }
}

async function waitForEnd(url: string, runId: string, timeoutMs: number): Promise<string> {
  const db = connect(url, { max: 1 });
  try {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const run = await getRun(db, runId);
      if (run !== undefined && run.status !== "running" && run.status !== "pending") return run.status;
      await sleep(250);
    }
    return "timed out";
  } finally {
    await db.destroy();
  }
}

/**
 * N `backfill worker` processes (the compiled CLI, deployment settings) on one run of one database: the
 * run is created first, the workers find its batches at their first ledger resync, and are stopped
 * (SIGTERM) once the run has ended. PostgreSQL's CPU is measured for the database's backends.
 */
export async function measureScaleOut(input: ScaleOutInput): Promise<ScaleOutRow> {
  const runId = await createRun(input.database.url);
  const meter = await startPostgresCpuMeter(input.admin, [input.database.name]);
  const children = Array.from({ length: input.workers }, () =>
    startWorkerChild(input.database.url, { keyFile: input.keyFile, prefix: input.prefix }),
  );
  let status: string;
  let workerCpuSec = 0;
  try {
    status = await waitForEnd(input.database.url, runId, input.timeoutMs);
    for (const child of children)
      workerCpuSec += child.pid === undefined ? 0 : await processCpuSec(child.pid);
  } finally {
    for (const child of children) child.kill("SIGTERM");
  }
  const pgCpu = await meter.stop();
  const outcomes = await Promise.all(children.map((c) => c.done));
  await deleteQueuePrefix(input.redisUrl, input.prefix);
  if (status !== "completed") {
    const tail = outcomes.map((o) => o.stderrTail.slice(-1000)).join("\n---\n");
    throw new Error(`scale-out with ${input.workers} workers: run ${runId} ended ${status}:\n${tail}`);
  }
  return scaleOutRow({
    workers: input.workers,
    size: input.size,
    alg: input.alg,
    logs: outcomes.map((o) => parseRunLog(o.stderr)),
    pgCpu,
    workerCpuSec,
    peakRssBytes: outcomes.map((o) => o.peakRssBytes),
  });
}
