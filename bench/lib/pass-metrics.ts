import type { ParsedRunLog } from "./parse-run-log.js";
import { median, percentile } from "./percentile.js";

/** What one `backfill run` child measured, as reported. */
export interface PassMetrics {
  /** Candidate tags the run mapped (run.completed totalTags; hidden and mapped tags excluded). */
  tags: number;
  status: string;
  /** The run's own duration (run.completed durationMs): from its creation to its last batch. */
  runMs: number;
  /** Wall time of the child process, start-up and shutdown included. */
  processMs: number;
  tagsPerSec: number;
  batches: number;
  batchP50Ms: number;
  batchP95Ms: number;
  /** Medians of the batch stages. */
  stageP50Ms: { load: number; plan: number; sign: number; write: number };
  queriesPerBatchP50: number;
  rowsWritten: number;
  rowsPerSec: number;
  peakRssBytes: number;
  /** Warnings and errors the run logged, by event. */
  problems: Record<string, number>;
}

export interface ThroughputPoint {
  /** Seconds since the run started. */
  tSec: number;
  tagsPerSec: number;
}

export function passMetrics(log: ParsedRunLog, processMs: number, peakRssBytes: number): PassMetrics {
  const batches = log.batches;
  const tags = log.completed?.totalTags ?? batches.reduce((sum, b) => sum + b.doneTags, 0);
  const runMs = log.completed?.durationMs ?? processMs;
  const rowsWritten = batches.reduce((sum, b) => sum + b.rowsWritten, 0);
  const durations = batches.map((b) => b.durationMs);
  return {
    tags,
    status: log.completed?.status ?? "not completed",
    runMs,
    processMs,
    tagsPerSec: runMs > 0 ? (tags * 1000) / runMs : 0,
    batches: batches.length,
    batchP50Ms: percentile(durations, 0.5),
    batchP95Ms: percentile(durations, 0.95),
    stageP50Ms: {
      load: median(batches.map((b) => b.loadMs)),
      plan: median(batches.map((b) => b.planMs)),
      sign: median(batches.map((b) => b.signMs)),
      write: median(batches.map((b) => b.writeMs)),
    },
    queriesPerBatchP50: median(batches.map((b) => b.queries)),
    rowsWritten,
    rowsPerSec: runMs > 0 ? (rowsWritten * 1000) / runMs : 0,
    peakRssBytes,
    problems: log.problems,
  };
}

/**
 * Tags per second over the run: batch completions bucketed into windows of `bucketSec` (by default about
 * 40 buckets over the run, at least one second), each point at the end of its window. Time 0 is
 * `run.started`, or the first batch's start when that line is missing.
 */
export function throughputSeries(log: ParsedRunLog, bucketSec?: number): ThroughputPoint[] {
  const batches = log.batches.slice().sort((a, b) => a.timeMs - b.timeMs);
  const first = batches[0];
  if (first === undefined) return [];
  const start = log.startedMs ?? first.timeMs - first.durationMs;
  const last = batches.at(-1) as (typeof batches)[number];
  const spanSec = Math.max((last.timeMs - start) / 1000, 0.001);
  const width = bucketSec ?? Math.max(1, Math.ceil(spanSec / 40));
  const buckets = new Array<number>(Math.max(1, Math.ceil(spanSec / width))).fill(0);
  for (const batch of batches) {
    const index = Math.min(
      buckets.length - 1,
      Math.max(0, Math.floor((batch.timeMs - start) / 1000 / width)),
    );
    buckets[index] = (buckets[index] ?? 0) + batch.doneTags;
  }
  // The last window ends at the last batch, so it may be shorter than the others.
  return buckets.map((count, i) => {
    const end = Math.min((i + 1) * width, spanSec);
    const span = end - i * width;
    return { tSec: end, tagsPerSec: span > 0 ? count / span : 0 };
  });
}
