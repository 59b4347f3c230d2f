import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BatchLine, ParsedRunLog } from "../../../bench/lib/parse-run-log.js";
import { scaleOutRow } from "../../../bench/lib/scale-out-row.js";

const batch = (endMs: number, durationMs: number, doneTags: number): BatchLine => ({
  timeMs: endMs,
  batchId: String(endMs),
  tags: doneTags,
  doneTags,
  loadMs: 0,
  planMs: 0,
  signMs: 0,
  writeMs: 0,
  durationMs,
  queries: 0,
  rowsWritten: 0,
});
const log = (batches: BatchLine[]): ParsedRunLog => ({
  startedMs: undefined,
  batches,
  completed: undefined,
  problems: {},
  otherLines: 0,
});
const pgCpu = { databaseSec: 2, backends: 6, backgroundSec: 1.2, wallMs: 12_000 };

describe("scaleOutRow", () => {
  test("spans every worker's batches; projects tags/s per PostgreSQL core", () => {
    const row = scaleOutRow({
      workers: 2,
      size: 10_000,
      alg: "ES256",
      // Worker A's first batch starts at 1,000 ms; worker B's last ends at 5,000 ms: a 4 s span.
      logs: [log([batch(2000, 1000, 500), batch(3000, 1000, 500)]), log([batch(5000, 2500, 1000)])],
      pgCpu,
      workerCpuSec: 6,
      peakRssBytes: [200, 250],
    });
    assert.equal(row.tags, 2000);
    assert.equal(row.spanMs, 4000);
    assert.equal(row.tagsPerSec, 500);
    assert.equal(row.pgCpuMsPerTag, 1);
    assert.equal(row.pgCores, 0.5);
    assert.equal(row.tagsPerSecPerPgCore, 1000);
    assert.equal(row.workerCpuMsPerTag, 3);
    assert.equal(row.peakRssBytes, 250);
  });

  test("no batches: no rate and no projection", () => {
    const row = scaleOutRow({
      workers: 1,
      size: 10_000,
      alg: "ES256",
      logs: [log([])],
      pgCpu,
      workerCpuSec: 0,
      peakRssBytes: [],
    });
    assert.equal(row.tagsPerSec, 0);
    assert.equal(row.tagsPerSecPerPgCore, undefined);
    assert.equal(row.pgCpuMsPerTag, undefined);
  });
});
