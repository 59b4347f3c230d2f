import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LogAggregator } from "../../../src/dashboard/log-aggregator.js";
import { parseLogLine } from "../../../src/dashboard/parse-log-line.js";
import { DASHBOARD_LOG, T0 } from "./dashboard-log.js";

function aggregate(lines: readonly string[]) {
  const aggregator = new LogAggregator();
  for (const line of lines) aggregator.add(line);
  return aggregator.model(T0 + 40_000);
}

describe("dashboard: the figures of a hand-written log", () => {
  const model = aggregate(DASHBOARD_LOG);

  test("lines: 33 read (the blank one aside), 7 skipped by cause, 26 used", () => {
    assert.deepEqual(model.lines, {
      read: 33,
      used: 26,
      skipped: { not_json: 2, no_event: 2, unknown_event: 1, invalid: 2 },
    });
    assert.equal(model.lastLineMs, T0 + 40_000);
  });

  test("run 7: failed, batches from run.completed, done the larger of progress (59) and batches (79)", () => {
    const run = model.runs.find((r) => r.id === "7");
    assert.deepEqual(run, {
      id: "7",
      kind: "backfill",
      target: "all",
      status: "failed",
      dryRun: false,
      // batches 1-4: backfilled 18+20+17+20, broken 1+2, skipped 1, failed 1; done = 75+3+1
      done: 79,
      total: 100,
      ratePerSec: 4.8,
      etaMs: null,
      batches: { pending: 0, running: 0, done: 4, failed: 1, total: 5 },
      broken: 3,
      failed: 1,
      tags: { backfilled: 75, backfilled_broken: 3, skipped: 1, failed: 1 },
      byReason: { missing_parent: 2, unexpected: 1, invalid_checksum: 1 },
      throttle: { reason: null, sinceMs: null, totalMs: 6000 },
      firstSeenMs: T0 + 1000,
      lastSeenMs: T0 + 22_000,
    });
  });

  test("run 8 without a progress line: rate 10 tags over the 10 s between its first and last line", () => {
    const run = model.runs.find((r) => r.id === "8");
    assert.deepEqual(run && { ...run }, {
      id: "8",
      kind: "scheduled",
      target: "ns:acme",
      status: "running",
      dryRun: false,
      done: 10,
      total: 50,
      ratePerSec: 1,
      etaMs: null,
      batches: { pending: 1, running: 0, done: 1, failed: 0, total: 2 },
      broken: 0,
      failed: 0,
      tags: { backfilled: 10, backfilled_broken: 0, skipped: 0, failed: 0 },
      byReason: {},
      throttle: { reason: null, sinceMs: null, totalMs: 0 },
      firstSeenMs: T0 + 30_000,
      lastSeenMs: T0 + 40_000,
    });
    assert.deepEqual(
      model.runs.map((r) => r.id),
      ["8", "7"],
      "newest run first",
    );
  });

  test("batch durations 500, 1000, 2000, 3000, 4000 ms: p50 2000 (rank 3), p95 4000 (rank 5)", () => {
    assert.deepEqual(model.batchDuration, { count: 5, p50Ms: 2000, p95Ms: 4000 });
  });

  test("series: 10 s slots with tags per second, percentiles and mean stage times", () => {
    const stages = (ms: number) => ({
      loadMs: ms / 10,
      planMs: ms / 5,
      signMs: (ms * 3) / 10,
      writeMs: ms / 2.5,
    });
    assert.equal(model.bucketMs, 10_000);
    assert.deepEqual(model.series, [
      // batches 1 and 2: 20 + 20 tags settled; 1000 and 2000 ms; the retry at 8 s
      {
        startMs: T0,
        tagsPerSec: 4,
        batches: 2,
        p50Ms: 1000,
        p95Ms: 2000,
        stages: stages(1500),
        retries: 1,
        failures: 0,
      },
      // batch 3: 17 + 2 settled (the skipped one does not count)
      {
        startMs: T0 + 10_000,
        tagsPerSec: 1.9,
        batches: 1,
        p50Ms: 3000,
        p95Ms: 3000,
        stages: stages(3000),
        retries: 0,
        failures: 0,
      },
      // batch 4 and the failed batch 5
      {
        startMs: T0 + 20_000,
        tagsPerSec: 2,
        batches: 1,
        p50Ms: 4000,
        p95Ms: 4000,
        stages: stages(4000),
        retries: 0,
        failures: 1,
      },
      {
        startMs: T0 + 40_000,
        tagsPerSec: 1,
        batches: 1,
        p50Ms: 500,
        p95Ms: 500,
        stages: stages(500),
        retries: 0,
        failures: 0,
      },
    ]);
  });

  test("retries, failures, the error lines and the throttle period", () => {
    assert.equal(model.retries, 1);
    assert.equal(model.failures, 1);
    assert.deepEqual(model.latestErrors, [
      {
        timeMs: T0 + 8000,
        level: "warn",
        event: "batch.retrying",
        runId: "7",
        batchId: "3",
        message: "connection reset",
      },
      {
        timeMs: T0 + 22_000,
        level: "error",
        event: "batch.failed",
        runId: "7",
        batchId: "5",
        message: "permanent: boom",
      },
    ]);
    assert.deepEqual(model.throttles, [
      { runId: "7", startMs: T0 + 13_000, endMs: T0 + 19_000, reason: "replay lag 3.1 s > 1 s" },
    ]);
  });

  test("workers: w1 alive, w2 lost (silent 19 s > 3 × its 5 s heartbeat), w3 stopped", () => {
    assert.deepEqual(model.workers, [
      {
        host: "w1",
        pid: 101,
        actor: "worker:w1:101",
        held: 1,
        lastBatchAtMs: T0 + 22_000,
        restRatio: 0,
        lastSeenMs: T0 + 40_000,
        state: "alive",
      },
      {
        host: "w2",
        pid: 202,
        actor: "worker:w2:202",
        held: 0,
        lastBatchAtMs: null,
        restRatio: 0,
        lastSeenMs: T0 + 21_000,
        state: "lost",
      },
      {
        host: "w3",
        pid: 303,
        actor: "worker:w3:303",
        held: 0,
        lastBatchAtMs: null,
        restRatio: 0,
        lastSeenMs: T0 + 31_500,
        state: "stopped",
      },
    ]);
    // 15 s after its last line w2 is still within three heartbeats.
    const earlier = new LogAggregator();
    for (const line of DASHBOARD_LOG) earlier.add(line);
    assert.equal(earlier.model(T0 + 36_000).workers.find((w) => w.host === "w2")?.state, "alive");
  });

  test("a worker's rest ratio is its pacer's latest; pace.off sets it back to none", () => {
    const pace = (atMs: number, event: string, fields: object, level = "info") =>
      JSON.stringify({
        level,
        time: new Date(T0 + atMs).toISOString(),
        pid: 101,
        hostname: "w1",
        event,
        ...fields,
        msg: event,
      });
    const changed = (atMs: number, from: number, ratio: number) =>
      pace(atMs, "pace.changed", {
        from,
        ratio,
        reason: "40% of commits slowed past 5.0 ms while writing",
        appShare: 1,
        duty: 0.2,
        slowedWhileWriting: 0.4,
        slowLineMs: 5,
        samples: 80,
      });
    const w1 = (lines: string[]) => aggregate(lines).workers.find((w) => w.host === "w1")?.restRatio;
    assert.equal(w1([...DASHBOARD_LOG, changed(41_000, 0, 3), changed(42_000, 3, 7.5)]), 7.5);
    assert.equal(
      w1([
        ...DASHBOARD_LOG,
        changed(41_000, 0, 3),
        pace(42_000, "pace.off", { err: "permission denied" }, "warn"),
      ]),
      0,
    );
  });

  test("a throttle still on shows its reason and start; an unended period has no end", () => {
    const cut = DASHBOARD_LOG.findIndex((l) => l.includes('"event":"throttle.ended"'));
    const m = aggregate(DASHBOARD_LOG.slice(0, cut));
    const run = m.runs.find((r) => r.id === "7");
    assert.deepEqual(run?.throttle, {
      reason: "replay lag 3.1 s > 1 s",
      sinceMs: T0 + 13_000,
      totalMs: 2000,
    });
    assert.equal(run?.status, "running");
    assert.equal(run?.etaMs, 8750);
    assert.deepEqual(run?.batches, { pending: 1, running: 1, done: 3, failed: 0, total: 5 });
    assert.equal(m.throttles[0]?.endMs, null);
  });
});

describe("dashboard: parseLogLine", () => {
  test("each cause of a skip, and a typed line", () => {
    assert.deepEqual(parseLogLine("{"), { ok: false, cause: "not_json" });
    assert.deepEqual(parseLogLine("42"), { ok: false, cause: "no_event" });
    assert.deepEqual(parseLogLine('{"event":7}'), { ok: false, cause: "no_event" });
    assert.deepEqual(parseLogLine('{"event":"toString","time":"2026-01-01T00:00:00Z"}'), {
      ok: false,
      cause: "unknown_event",
    });
    assert.deepEqual(parseLogLine('{"event":"db.recovered","time":"2026-01-01T00:00:00Z"}'), {
      ok: false,
      cause: "invalid",
    });
    assert.deepEqual(parseLogLine('{"event":"db.recovered","downMs":5}'), { ok: false, cause: "invalid" });
    const parsed = parseLogLine('{"event":"db.recovered","time":"2026-01-01T00:00:01Z","downMs":5,"pid":3}');
    assert.ok(parsed.ok);
    assert.equal(parsed.line.event, "db.recovered");
    assert.equal(parsed.line.timeMs, Date.parse("2026-01-01T00:00:01Z"));
    assert.equal(parsed.line.host, "unknown");
    assert.equal(parsed.line.pid, 3);
  });
});
