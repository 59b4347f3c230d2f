import { BoundedSample } from "./bounded-sample.js";
import type { DashboardModel, ErrorLine, SkipCause, ThrottlePeriod } from "./dashboard-model.js";
import { parseLogLine, type LogLine } from "./parse-log-line.js";
import { applyRunLine, type RunLineEffects } from "./run-line.js";
import { RunState } from "./run-state.js";
import { BUCKET_MS, TimeSeries } from "./time-series.js";
import { WorkerTracker } from "./worker-tracker.js";

/** Runs kept; past it the one silent longest is forgotten. */
const MAX_RUNS = 1000;
/** Latest error lines and throttle periods kept. */
const MAX_ERRORS = 50;
const MAX_THROTTLES = 100;
/** Batch durations kept for the overall percentiles. */
const DURATION_SAMPLE = 4096;

export interface LogAggregatorOptions {
  /** Called with every line used, after the model took it in (the metrics observe batch durations). */
  onLine?: (line: LogLine) => void;
}

/**
 * The dashboard's numbers from log lines, one line at a time, in bounded memory: fixed time slots
 * (time-series.ts), sampled durations, capped lists and capped per-run and per-worker maps. Pure: it
 * reads no file; whoever has the lines feeds them.
 */
export class LogAggregator {
  readonly #runs = new Map<string, RunState>();
  readonly #workers = new WorkerTracker();
  readonly #series = new TimeSeries();
  readonly #durations = new BoundedSample(DURATION_SAMPLE);
  readonly #errors: ErrorLine[] = [];
  readonly #throttles: ThrottlePeriod[] = [];
  readonly #skipped: Record<SkipCause, number> = { not_json: 0, no_event: 0, unknown_event: 0, invalid: 0 };
  #read = 0;
  #used = 0;
  #retries = 0;
  #failures = 0;
  #lastLineMs: number | null = null;

  constructor(private readonly options: LogAggregatorOptions = {}) {}

  /** One line of text (without its newline); blank lines are ignored, bad ones counted by cause. */
  add(text: string): void {
    if (text.trim() === "") return;
    this.#read++;
    const parsed = parseLogLine(text);
    if (!parsed.ok) {
      this.#skipped[parsed.cause]++;
      return;
    }
    this.#used++;
    this.addLine(parsed.line);
  }

  /** A line already parsed. */
  addLine(line: LogLine): void {
    if (this.#lastLineMs === null || line.timeMs > this.#lastLineMs) this.#lastLineMs = line.timeMs;
    this.#workers.add(line);
    const runId = line.fields.runId;
    if (runId !== undefined) {
      const effects = applyRunLine(this.#run(runId, line.timeMs), line);
      if (effects) this.#apply(line, effects);
    }
    if ((line.level === "warn" || line.level === "error") && "err" in line.fields) this.#error(line);
    this.options.onLine?.(line);
  }

  model(nowMs: number): DashboardModel {
    return {
      nowMs,
      lastLineMs: this.#lastLineMs,
      lines: { read: this.#read, used: this.#used, skipped: { ...this.#skipped } },
      runs: [...this.#runs.values()].map((r) => r.view()).sort((a, b) => Number(b.id) - Number(a.id)),
      series: this.#series.view(),
      bucketMs: BUCKET_MS,
      batchDuration: {
        count: this.#durations.count,
        p50Ms: this.#durations.percentile(0.5),
        p95Ms: this.#durations.percentile(0.95),
      },
      retries: this.#retries,
      failures: this.#failures,
      latestErrors: [...this.#errors],
      throttles: this.#throttles.map((t) => ({ ...t })),
      workers: this.#workers.view(nowMs),
    };
  }

  #apply(line: LogLine, effects: RunLineEffects): void {
    if (effects.batch) {
      this.#series.batch(line.timeMs, effects.batch);
      this.#durations.add(effects.batch.durationMs);
    }
    if (effects.retry) {
      this.#retries++;
      this.#series.retry(line.timeMs);
    }
    if (effects.failure) {
      this.#failures++;
      this.#series.failure(line.timeMs);
      if (!("err" in line.fields)) this.#error(line);
    }
    if (effects.throttleStarted) {
      this.#throttles.push(effects.throttleStarted);
      if (this.#throttles.length > MAX_THROTTLES) this.#throttles.shift();
    }
    if (effects.throttleEnded) {
      const { runId, reason } = effects.throttleEnded;
      const open = this.#throttles.findLast((t) => t.runId === runId && t.endMs === null);
      if (open) open.endMs = line.timeMs;
      else {
        const startMs = line.timeMs - effects.throttleEnded.durationMs;
        this.#throttles.push({ runId, startMs, endMs: line.timeMs, reason });
      }
    }
  }

  #run(runId: string, timeMs: number): RunState {
    let run = this.#runs.get(runId);
    if (!run) {
      if (this.#runs.size >= MAX_RUNS) this.#forgetOldestRun();
      run = new RunState(runId, timeMs);
      this.#runs.set(runId, run);
    }
    run.seen(timeMs);
    return run;
  }

  #forgetOldestRun(): void {
    let oldest: RunState | undefined;
    for (const run of this.#runs.values()) if (!oldest || run.lastSeenMs < oldest.lastSeenMs) oldest = run;
    if (oldest) this.#runs.delete(oldest.id);
  }

  #error(line: LogLine): void {
    const f = line.fields as Record<string, unknown>;
    const err = f.err;
    const message =
      typeof err === "string"
        ? err
        : typeof err === "object" &&
            err !== null &&
            typeof (err as { message?: unknown }).message === "string"
          ? (err as { message: string }).message
          : typeof f.detail === "string"
            ? f.detail
            : typeof f.msg === "string"
              ? f.msg
              : line.event;
    this.#errors.push({
      timeMs: line.timeMs,
      level: line.level,
      event: line.event,
      runId: typeof f.runId === "string" ? f.runId : null,
      batchId: typeof f.batchId === "string" ? f.batchId : null,
      message: message.slice(0, 500),
    });
    if (this.#errors.length > MAX_ERRORS) this.#errors.shift();
  }
}
