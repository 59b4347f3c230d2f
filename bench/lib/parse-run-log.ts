/** The fields of a `batch.completed` line the benchmark reads (docs/log-events.md). */
export interface BatchLine {
  /** Epoch milliseconds of the line. */
  timeMs: number;
  batchId: string;
  /** Tags in the batch range, skipped ones included. */
  tags: number;
  /** Tags the batch mapped or failed: `tags` minus the skipped ones (what progress counts). */
  doneTags: number;
  loadMs: number;
  planMs: number;
  signMs: number;
  writeMs: number;
  durationMs: number;
  queries: number;
  rowsWritten: number;
}

export interface RunCompletedLine {
  timeMs: number;
  status: string;
  totalTags: number;
  durationMs: number;
  counts: Record<string, number>;
}

export interface ParsedRunLog {
  /** Epoch milliseconds of `run.started` (or `run.resumed`). */
  startedMs: number | undefined;
  batches: BatchLine[];
  completed: RunCompletedLine | undefined;
  /** Lines at level warn (40) or above, by event: what went wrong during the run. */
  problems: Record<string, number>;
  /** Lines that were not JSON objects (the run's plain-text summary). */
  otherLines: number;
}

const str = (value: unknown): string =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

/**
 * Reads the JSON lines a `backfill run` child wrote to stderr. Lines that are not JSON (a message the
 * command printed) are counted and skipped; a JSON line without a known event is ignored.
 */
export function parseRunLog(text: string): ParsedRunLog {
  const out: ParsedRunLog = {
    startedMs: undefined,
    batches: [],
    completed: undefined,
    problems: {},
    otherLines: 0,
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = line.startsWith("{") ? JSON.parse(line) : undefined;
    } catch {
      value = undefined;
    }
    if (typeof value !== "object" || value === null) {
      out.otherLines++;
      continue;
    }
    const record = value as Record<string, unknown>;
    const timeMs = typeof record.time === "string" ? Date.parse(record.time) : num(record.time);
    const event = typeof record.event === "string" ? record.event : "";
    if (num(record.level) >= 40)
      out.problems[event || "unknown"] = (out.problems[event || "unknown"] ?? 0) + 1;
    if (event === "run.started" || event === "run.resumed") {
      out.startedMs ??= timeMs;
    } else if (event === "batch.completed") {
      const counts = (record.counts ?? {}) as Record<string, unknown>;
      const tags = num(record.tags);
      out.batches.push({
        timeMs,
        batchId: str(record.batchId),
        tags,
        doneTags: tags - num(counts.skipped),
        loadMs: num(record.loadMs),
        planMs: num(record.planMs),
        signMs: num(record.signMs),
        writeMs: num(record.writeMs),
        durationMs: num(record.durationMs),
        queries: num(record.queries),
        rowsWritten: num(record.rowsWritten),
      });
    } else if (event === "run.completed") {
      const counts: Record<string, number> = {};
      for (const [k, v] of Object.entries((record.counts ?? {}) as Record<string, unknown>))
        counts[k] = num(v);
      out.completed = {
        timeMs,
        status: str(record.status),
        totalTags: num(record.totalTags),
        durationMs: num(record.durationMs),
        counts,
      };
    }
  }
  return out;
}
