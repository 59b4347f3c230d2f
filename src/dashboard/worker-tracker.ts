import type { WorkerView } from "./dashboard-model.js";
import type { LogLine } from "./parse-log-line.js";

/** Heartbeat interval assumed before a worker's first `worker.heartbeat` says its own. */
export const DEFAULT_HEARTBEAT_MS = 10_000;
/** A worker silent for longer than this many heartbeat intervals is lost. */
export const LOST_AFTER_BEATS = 3;
/** Processes kept; past it the one silent longest is forgotten (one CLI process per pid adds up). */
const MAX_WORKERS = 1000;

/** What is kept per process: the view's facts, and what its state is derived from. */
type WorkerState = Omit<WorkerView, "state"> & { intervalMs: number; stopped: boolean };

/** The worker processes of the log, by host and pid: from `worker.*` lines, seen alive by any line of theirs. */
export class WorkerTracker {
  readonly #workers = new Map<string, WorkerState>();

  add(line: LogLine): void {
    if (line.pid === null) return;
    const key = `${line.host}:${line.pid}`;
    let worker = this.#workers.get(key);
    if (!worker) {
      if (!line.event.startsWith("worker.")) return;
      worker = this.#create(key, line.host, line.pid, line.timeMs);
    }
    if (line.timeMs > worker.lastSeenMs) worker.lastSeenMs = line.timeMs;
    if (line.event === "worker.started") {
      worker.actor = line.fields.actor;
      worker.stopped = false;
    } else if (line.event === "worker.heartbeat") {
      worker.actor = line.fields.actor;
      worker.held = line.fields.held;
      worker.intervalMs = line.fields.intervalMs;
      const at = line.fields.lastBatchAt === null ? NaN : Date.parse(line.fields.lastBatchAt);
      if (!Number.isNaN(at)) worker.lastBatchAtMs = at;
    } else if (line.event === "worker.stopping") {
      worker.held = line.fields.held;
    } else if (line.event === "pace.changed") {
      worker.restRatio = line.fields.ratio;
    } else if (line.event === "pace.off") {
      worker.restRatio = 0;
    } else if (line.event === "worker.stopped") {
      worker.stopped = true;
      worker.held = 0;
    }
  }

  view(nowMs: number): WorkerView[] {
    return [...this.#workers.values()]
      .sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid)
      .map((w) => ({
        host: w.host,
        pid: w.pid,
        actor: w.actor,
        held: w.held,
        lastBatchAtMs: w.lastBatchAtMs,
        restRatio: w.restRatio,
        lastSeenMs: w.lastSeenMs,
        state: w.stopped
          ? "stopped"
          : nowMs - w.lastSeenMs > LOST_AFTER_BEATS * w.intervalMs
            ? "lost"
            : "alive",
      }));
  }

  #create(key: string, host: string, pid: number, timeMs: number): WorkerState {
    if (this.#workers.size >= MAX_WORKERS) {
      let oldest: [string, number] | undefined;
      for (const [k, w] of this.#workers) {
        if (!oldest || w.lastSeenMs < oldest[1]) oldest = [k, w.lastSeenMs];
      }
      if (oldest) this.#workers.delete(oldest[0]);
    }
    const worker: WorkerState = {
      host,
      pid,
      actor: null,
      held: 0,
      lastBatchAtMs: null,
      restRatio: 0,
      lastSeenMs: timeMs,
      intervalMs: DEFAULT_HEARTBEAT_MS,
      stopped: false,
    };
    this.#workers.set(key, worker);
    return worker;
  }
}
