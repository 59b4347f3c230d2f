import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRunLog } from "../../../bench/lib/parse-run-log.js";
import { passMetrics, throughputSeries } from "../../../bench/lib/pass-metrics.js";

const line = (record: Record<string, unknown>) => JSON.stringify({ level: 30, pid: 1, msg: "m", ...record });
const batch = (time: string, id: string, tags: number, skipped: number, durationMs: number, rows: number) =>
  line({
    time,
    event: "batch.completed",
    runId: "1",
    batchId: id,
    counts: { backfilled: tags - skipped, backfilled_broken: 0, skipped, failed: 0 },
    tags,
    loadMs: 10,
    planMs: 20,
    signMs: 30,
    writeMs: durationMs - 60,
    durationMs,
    queries: 26,
    rowsWritten: rows,
  });

const LOG = [
  line({ time: "2026-01-01T00:00:00.000Z", event: "run.started", runId: "1", totalTags: 190 }),
  batch("2026-01-01T00:00:01.000Z", "1", 100, 10, 1000, 1200),
  line({ time: "2026-01-01T00:00:01.500Z", level: 40, event: "batch.retrying", runId: "1" }),
  batch("2026-01-01T00:00:03.000Z", "2", 100, 0, 2000, 1300),
  line({
    time: "2026-01-01T00:00:04.000Z",
    event: "run.completed",
    status: "completed",
    totalTags: 190,
    durationMs: 4000,
    counts: { backfilled: 180, backfilled_broken: 10, skipped: 10, failed: 0 },
  }),
  "run 1 (backfill, target all): completed",
  "  tags        190 of 190 in 4s (47 tags/s)",
  "{not json",
  "",
].join("\n");

describe("parseRunLog", () => {
  test("reads batch.completed and run.completed lines and skips the plain-text summary", () => {
    const log = parseRunLog(LOG);
    assert.equal(log.startedMs, Date.parse("2026-01-01T00:00:00.000Z"));
    assert.equal(log.batches.length, 2);
    assert.deepEqual(
      log.batches.map((b) => [b.batchId, b.tags, b.doneTags, b.durationMs, b.rowsWritten, b.writeMs]),
      [
        ["1", 100, 90, 1000, 1200, 940],
        ["2", 100, 100, 2000, 1300, 1940],
      ],
    );
    assert.equal(log.completed?.totalTags, 190);
    assert.equal(log.completed?.counts.backfilled_broken, 10);
    assert.equal(log.otherLines, 3);
    assert.deepEqual(log.problems, { "batch.retrying": 1 });
  });

  test("an empty log has no batches and no completion", () => {
    const log = parseRunLog("");
    assert.deepEqual(log.batches, []);
    assert.equal(log.completed, undefined);
  });
});

describe("passMetrics and throughputSeries", () => {
  test("rates come from the run's own duration, batch percentiles from the batch lines", () => {
    const m = passMetrics(parseRunLog(LOG), 6000, 123 * 1024 * 1024);
    assert.equal(m.tags, 190);
    assert.equal(m.runMs, 4000);
    assert.equal(m.processMs, 6000);
    assert.equal(m.tagsPerSec, 47.5);
    assert.equal(m.rowsWritten, 2500);
    assert.equal(m.rowsPerSec, 625);
    assert.equal(m.batchP50Ms, 1500);
    assert.equal(m.batchP95Ms, 1950);
    assert.equal(m.stageP50Ms.write, 1440);
    assert.equal(m.peakRssBytes, 123 * 1024 * 1024);
    assert.equal(m.status, "completed");
  });

  test("without run.completed, the tags done and the process time stand in", () => {
    const partial = LOG.split("\n").slice(0, 4).join("\n");
    const m = passMetrics(parseRunLog(partial), 2000, 0);
    assert.equal(m.tags, 190);
    assert.equal(m.runMs, 2000);
    assert.equal(m.status, "not completed");
  });

  test("tags done are bucketed by completion time from run.started, the last window cut at the last batch", () => {
    const series = throughputSeries(parseRunLog(LOG), 2);
    assert.deepEqual(series, [
      { tSec: 2, tagsPerSec: 45 },
      { tSec: 3, tagsPerSec: 100 },
    ]);
    assert.deepEqual(throughputSeries(parseRunLog("")), []);
  });
});
