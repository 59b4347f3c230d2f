/**
 * Realistic log lines of the vocabulary for the dashboard's memory and speed checks: four workers on two
 * hosts running one run after another (a new run every 20,000 lines), each batch a `batch.completed`
 * with some `tag.broken` lines, heartbeats, `run.progress` every 200 lines, retries, failures, throttled
 * stretches, and one line in a thousand garbage. Lines are 10 ms apart, so a million span 2.8 hours.
 * Deterministic: the same count gives the same lines.
 */
export function* dashboardLogLines(
  count: number,
  startMs = Date.parse("2026-01-01T00:00:00Z"),
): Generator<string> {
  const state: GeneratorState = { seed: 0x9e3779b9, runId: 0, batchId: 0, done: 0 };
  for (let i = 0; i < count; i++) yield lineAt(i, startMs + i * 10, state);
}

interface GeneratorState {
  seed: number;
  runId: number;
  batchId: number;
  done: number;
}

const WORKERS = [1, 2, 3, 4].map((n) => ({ host: `node-${(n % 2) + 1}`, pid: 1000 + n }));
const REASON = "replay lag 3.1 s > 1 s";

/** xorshift32 in [0, 1). */
function random(state: GeneratorState): number {
  let x = state.seed;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  state.seed = x >>> 0;
  return state.seed / 0x1_0000_0000;
}

function lineAt(i: number, timeMs: number, state: GeneratorState): string {
  const w = WORKERS[i % WORKERS.length] ?? { host: "node-1", pid: 1000 };
  const time = new Date(timeMs).toISOString();
  const out = (fields: Record<string, unknown>, level = "info") =>
    JSON.stringify({ level, time, pid: w.pid, hostname: w.host, ...fields, msg: String(fields.event) });
  const run = String(state.runId);
  const batch = { runId: run, batchId: String(state.batchId), lo: 1, hi: 100 };
  if (i % 20_000 === 0) {
    state.runId++;
    state.done = 0;
    return out({
      event: "run.started",
      ...{ runId: String(state.runId), kind: "backfill", target: "all", dryRun: false },
      ...{ totalTags: 200_000, batches: 2000, batchSize: 100 },
    });
  }
  if (i % 200 === 0) {
    const done = state.done;
    const batches = { batchesDone: Math.floor(done / 100), batchesTotal: 2000 };
    const tags = { done, total: 200_000, broken: Math.floor(done / 20), failed: 0 };
    return out({ event: "run.progress", runId: run, ...tags, ...batches, ratePerSec: 950.5, etaMs: 60_000 });
  }
  if (i % 1000 >= 1 && i % 1000 <= WORKERS.length) {
    const actor = `worker:${w.host}:${w.pid}`;
    return out({ event: "worker.heartbeat", actor, held: 1, lastBatchAt: time, intervalMs: 10_000 });
  }
  const roll = random(state);
  if (roll < 0.001) return i % 2 === 0 ? `garbage ${i} {"event":` : JSON.stringify({ time, msg: "foreign" });
  if (roll < 0.004) {
    return out({ event: "batch.retrying", ...batch, attempt: 1, maxAttempts: 6, err: `reset ${i}` }, "warn");
  }
  if (roll < 0.0045) {
    return out(
      { event: "batch.failed", ...batch, attempt: 6, err: `permanent ${i}`, permanent: true },
      "error",
    );
  }
  if (roll < 0.005) {
    return i % 4000 < 2000
      ? out({ event: "throttle.started", runId: run, reason: REASON }, "warn")
      : out({ event: "throttle.ended", runId: run, reason: REASON, durationMs: 5000, totalMs: 5000 });
  }
  if (roll < 0.3) {
    const reason = roll < 0.15 ? "missing_parent" : "invalid_checksum";
    const tag = { repositoryTagId: i, repository: "acme/web", tag: `v${i}` };
    return out({ event: "tag.broken", runId: run, batchId: batch.batchId, ...tag, reason, detail: null });
  }
  return completed(state, out);
}

function completed(state: GeneratorState, out: (fields: Record<string, unknown>) => string): string {
  state.batchId++;
  state.done += 100;
  const ms = Math.round(200 + random(state) * 1800);
  const lo = state.batchId * 100;
  return out({
    event: "batch.completed",
    ...{ runId: String(state.runId), batchId: String(state.batchId), attempt: 1, lo, hi: lo + 99 },
    counts: { backfilled: 90, backfilled_broken: 8, skipped: 1, failed: 1 },
    ...{ tags: 100, loadMs: ms * 0.2, planMs: ms * 0.1, signMs: ms * 0.3, writeMs: ms * 0.4, durationMs: ms },
    ...{ queries: 14, rowsWritten: 900, dryRun: false },
  });
}
