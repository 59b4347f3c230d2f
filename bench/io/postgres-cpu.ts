import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import pg from "pg";
import type { PostgresCpu } from "../lib/bench-result.js";
import { parseProcStat, type ProcStat } from "../lib/proc-stat.js";

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return clockTicks;
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** CPU seconds of one live process (all its threads), 0 when it is gone. */
export async function processCpuSec(pid: number): Promise<number> {
  const s = await readProcStat(pid);
  return s === undefined ? 0 : (s.utime + s.stime) / ticksPerSecond();
}

/**
 * CPU seconds of the server's background writers (checkpointer, WAL writer, background writer): they write
 * what every session of the server dirtied, so on a shared server their figure is an upper bound.
 */
async function backgroundCpuSec(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE backend_type IN ('checkpointer', 'walwriter', 'background writer')",
  );
  let sec = 0;
  for (const { pid } of rows) sec += await processCpuSec(pid);
  return sec;
}

export interface PostgresCpuMeter {
  stop(): Promise<PostgresCpu>;
}

/**
 * Starts measuring PostgreSQL's CPU time for the backends of `databases` (sampled every `sampleMs`) and
 * the server's background writers. Needs the server on this machine, its /proc readable.
 */
export async function startPostgresCpuMeter(
  admin: string,
  databases: readonly string[],
  sampleMs = 250,
): Promise<PostgresCpuMeter> {
  const client = new pg.Client({ connectionString: admin, application_name: "backfill-bench-cpu" });
  await client.connect();
  const started = performance.now();
  const backgroundStart = await backgroundCpuSec(client);
  const lastTicks = new Map<number, number>();
  const autovacuum = new Set<number>();
  const sample = async () => {
    const { rows } = await client.query<{ pid: number; backend_type: string }>(
      "SELECT pid, backend_type FROM pg_stat_activity WHERE datname = ANY($1::text[])",
      [[...databases]],
    );
    for (const { pid, backend_type } of rows) {
      const s = await readProcStat(pid);
      if (s !== undefined) lastTicks.set(pid, Math.max(lastTicks.get(pid) ?? 0, s.utime + s.stime));
      if (backend_type === "autovacuum worker") autovacuum.add(pid);
    }
  };
  // A failed sample (a backend gone between the two reads) only loses that sample.
  const safeSample = () => sample().catch(() => undefined);
  let pending = safeSample();
  const timer = setInterval(() => {
    pending = pending.then(safeSample);
  }, sampleMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await safeSample();
      const backgroundEnd = await backgroundCpuSec(client);
      await client.end();
      let ticks = 0;
      let autovacuumTicks = 0;
      for (const [pid, t] of lastTicks) {
        ticks += t;
        if (autovacuum.has(pid)) autovacuumTicks += t;
      }
      return {
        databaseSec: ticks / ticksPerSecond(),
        backends: lastTicks.size,
        autovacuumSec: autovacuumTicks / ticksPerSecond(),
        backgroundSec: Math.max(0, backgroundEnd - backgroundStart),
        wallMs: performance.now() - started,
      };
    },
  };
}
