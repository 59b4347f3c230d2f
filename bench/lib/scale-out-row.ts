import type { Alg, PostgresCpu, ScaleOutRow } from "./bench-result.js";
import type { ParsedRunLog } from "./parse-run-log.js";
import { cpuMsPerTag } from "./proc-stat.js";

export interface ScaleOutMeasurement {
  workers: number;
  size: number;
  alg: Alg;
  /** The parsed log of each worker process. */
  logs: readonly ParsedRunLog[];
  pgCpu: PostgresCpu;
  /** CPU seconds of all the worker processes together. */
  workerCpuSec: number;
  /** Peak RSS of each worker. */
  peakRssBytes: readonly number[];
}

/**
 * One `--workers` row: the span runs from the first batch's start to the last batch's end over all the
 * workers' logs (start-up and the wait for the first enqueue are not the database's cost), and the
 * projection divides tags/s by the PostgreSQL cores the span kept busy.
 */
export function scaleOutRow(m: ScaleOutMeasurement): ScaleOutRow {
  const batches = m.logs.flatMap((log) => log.batches);
  const tags = batches.reduce((sum, b) => sum + b.doneTags, 0);
  const first = Math.min(...batches.map((b) => b.timeMs - b.durationMs));
  const last = Math.max(...batches.map((b) => b.timeMs));
  const spanMs = batches.length > 0 ? last - first : 0;
  const tagsPerSec = spanMs > 0 ? (tags * 1000) / spanMs : 0;
  const pgCores = spanMs > 0 ? (m.pgCpu.databaseSec * 1000) / spanMs : 0;
  return {
    workers: m.workers,
    size: m.size,
    alg: m.alg,
    tags,
    spanMs,
    tagsPerSec,
    pgCpu: m.pgCpu,
    pgCpuMsPerTag: cpuMsPerTag(m.pgCpu.databaseSec, tags),
    pgCores,
    tagsPerSecPerPgCore: pgCores > 0 ? tagsPerSec / pgCores : undefined,
    workerCpuMsPerTag: cpuMsPerTag(m.workerCpuSec, tags),
    peakRssBytes: m.peakRssBytes.length > 0 ? Math.max(...m.peakRssBytes) : 0,
  };
}
