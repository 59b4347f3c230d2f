import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { dashboardLogLines } from "../../../bench/lib/dashboard-log-lines.js";
import { LogAggregator } from "../../../src/dashboard/log-aggregator.js";

// A collection on demand, so heap figures measure what is kept rather than what is not yet collected.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

test("100,000 realistic lines: capped lists and series, and the heap does not grow with the lines", () => {
  const aggregator = new LogAggregator();
  const lines = dashboardLogLines(100_000);
  let fed = 0;
  let heapAtHalf = 0;
  for (const line of lines) {
    aggregator.add(line);
    if (++fed === 50_000) heapAtHalf = heapAfterGc();
  }
  const heapAtEnd = heapAfterGc();
  const model = aggregator.model(Date.parse("2026-01-01T00:20:00Z"));
  assert.equal(model.lines.read, 100_000);
  assert.ok(
    model.lines.skipped.not_json > 0 && model.lines.skipped.no_event > 0,
    JSON.stringify(model.lines),
  );
  assert.equal(
    model.lines.skipped.invalid + model.lines.skipped.unknown_event,
    0,
    "the generator speaks the vocabulary",
  );
  assert.equal(model.runs.length, 5);
  assert.equal(model.workers.length, 4);
  assert.ok(model.series.length <= 360);
  assert.equal(model.latestErrors.length, 50);
  assert.ok(model.throttles.length <= 100);
  const growth = heapAtEnd - heapAtHalf;
  assert.ok(
    growth < 4 * 1024 * 1024,
    `heap grew ${Math.round(growth / 1024)} KiB over the second 50,000 lines`,
  );
});
