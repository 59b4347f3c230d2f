import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DashboardModel } from "./dashboard-model.js";
import type { LogLine } from "./parse-log-line.js";

/** Upper bounds (seconds) of the batch duration histogram. */
export const BATCH_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const OUTCOMES = ["backfilled", "backfilled_broken", "skipped", "failed"] as const;
const STATES = ["pending", "running", "done", "failed"] as const;

/**
 * The log's figures in Prometheus text format, on a registry of its own (never prom-client's global
 * one). Counters and gauges are set from a DashboardModel when rendered; the batch duration histogram is
 * observed line by line: pass `observe` as the aggregator's `onLine`.
 */
export class DashboardMetrics {
  readonly registry = new Registry();
  readonly #duration = this.#histogram();
  readonly #tags = this.#counter(
    "backfill_tags_total",
    "Tags settled by completed batches, by run and outcome",
    ["run", "outcome"],
  );
  readonly #batches = this.#gauge("backfill_batches", "Batches of a run by state (latest reading)", [
    "run",
    "state",
  ]);
  readonly #done = this.#gauge("backfill_run_done_tags", "Candidate tags of a run settled so far", ["run"]);
  readonly #total = this.#gauge("backfill_run_candidate_tags", "Candidate tags of a run", ["run"]);
  readonly #rate = this.#gauge(
    "backfill_run_rate_tags_per_second",
    "Tags mapped per second of running time",
    ["run"],
  );
  readonly #running = this.#gauge("backfill_run_running", "1 while the run is running, else 0", ["run"]);
  readonly #throttled = this.#counter("backfill_throttled_seconds_total", "Time a run spent throttled", [
    "run",
  ]);
  readonly #retries = this.#counter(
    "backfill_batch_retries_total",
    "Batch attempts that failed and were retried",
    [],
  );
  readonly #failures = this.#counter("backfill_batch_failures_total", "Batches that failed for good", []);
  readonly #up = this.#gauge("backfill_worker_up", "1 while a worker is heard from, 0 once lost or stopped", [
    "host",
    "pid",
    "actor",
  ]);
  readonly #held = this.#gauge(
    "backfill_worker_leases_held",
    "Batch leases a worker held at its last heartbeat",
    ["host", "pid"],
  );
  readonly #rest = this.#gauge(
    "backfill_worker_rest_ratio",
    "A worker's pacer: rest after each batch per unit of its duration (pace.changed)",
    ["host", "pid"],
  );
  readonly #skipped = this.#counter("backfill_log_lines_skipped_total", "Input lines not used, by cause", [
    "cause",
  ]);
  readonly #read = this.#counter("backfill_log_lines_read_total", "Input lines read (blank ones aside)", []);

  /** Observes the duration of every `batch.completed`. */
  readonly observe = (line: LogLine): void => {
    if (line.event === "batch.completed") this.#duration.observe(line.fields.durationMs / 1000);
  };

  /** The text of /metrics for this model. */
  async render(model: DashboardModel): Promise<string> {
    for (const metric of [this.#tags, this.#batches, this.#done, this.#total, this.#rate, this.#running]) {
      metric.reset();
    }
    for (const metric of [
      this.#throttled,
      this.#retries,
      this.#failures,
      this.#up,
      this.#held,
      this.#rest,
      this.#skipped,
    ]) {
      metric.reset();
    }
    this.#read.reset();
    for (const run of model.runs) {
      const labels = { run: run.id };
      for (const outcome of OUTCOMES) this.#tags.inc({ run: run.id, outcome }, run.tags[outcome]);
      for (const state of STATES) this.#batches.set({ run: run.id, state }, run.batches[state]);
      this.#done.set(labels, run.done);
      this.#total.set(labels, run.total);
      this.#rate.set(labels, run.ratePerSec);
      this.#running.set(labels, run.status === "running" ? 1 : 0);
      this.#throttled.inc(labels, run.throttle.totalMs / 1000);
    }
    this.#retries.inc(model.retries);
    this.#failures.inc(model.failures);
    for (const w of model.workers) {
      const actor = w.actor ?? "";
      this.#up.set({ host: w.host, pid: String(w.pid), actor }, w.state === "alive" ? 1 : 0);
      this.#held.set({ host: w.host, pid: String(w.pid) }, w.held);
      this.#rest.set({ host: w.host, pid: String(w.pid) }, w.restRatio);
    }
    for (const [cause, count] of Object.entries(model.lines.skipped)) this.#skipped.inc({ cause }, count);
    this.#read.inc(model.lines.read);
    return this.registry.metrics();
  }

  #histogram(): Histogram {
    return new Histogram({
      name: "backfill_batch_duration_seconds",
      help: "Wall time of a completed batch (batch.completed durationMs)",
      buckets: BATCH_DURATION_BUCKETS,
      registers: [this.registry],
    });
  }

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  #gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

/** /metrics of a model; without `metrics` the duration histogram is empty (nothing observed it). */
export function renderMetrics(model: DashboardModel, metrics = new DashboardMetrics()): Promise<string> {
  return metrics.render(model);
}
