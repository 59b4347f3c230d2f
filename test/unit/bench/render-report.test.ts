import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BenchResult } from "../../../bench/lib/bench-result.js";
import { evaluateTargets } from "../../../bench/lib/evaluate-targets.js";
import {
  README_END,
  README_START,
  renderReadmeSection,
  renderReport,
  replaceReadmeSection,
} from "../../../bench/lib/render-report.js";

const MB = 1024 * 1024;
const metrics = (tags: number, runMs: number) => ({
  tags,
  status: "completed",
  runMs,
  processMs: runMs + 2000,
  tagsPerSec: (tags * 1000) / runMs,
  batches: tags / 500,
  batchP50Ms: 3800,
  batchP95Ms: 4500,
  stageP50Ms: { load: 300, plan: 600, sign: 600, write: 2000 },
  queriesPerBatchP50: 26,
  rowsWritten: tags * 12,
  rowsPerSec: (tags * 12000) / runMs,
  peakRssBytes: 250 * MB,
  problems: {},
});
const RESULT: BenchResult = {
  startedAt: "2026-11-22T08:00:00.000Z",
  finishedAt: "2026-11-22T08:30:00.000Z",
  command: "npm run bench",
  machine: {
    cpus: 2,
    cpuModel: "AMD EPYC",
    totalMemBytes: 24 * 1024 * MB,
    node: "20.20.2",
    postgres: "PostgreSQL 15.20",
    loadAvgStart: [2.5, 3, 3.5],
    loadAvgEnd: [4, 4, 4],
  },
  settings: { sizes: [10_000, 100_000], batchSize: 500, concurrency: 2, algs: ["RS256"] },
  passes: [
    { size: 10_000, alg: "RS256", seedMs: 5000, metrics: metrics(9800, 40_000), throughput: [] },
    { size: 100_000, alg: "RS256", seedMs: 50_000, metrics: metrics(98_000, 420_000), throughput: [] },
  ],
  limits: { signing: undefined, rawInsert: undefined, baseline: undefined },
  targets: evaluateTargets({
    rs256TagsPerSec: 233,
    es256TagsPerSec: undefined,
    signRatePerSec: 1000,
    rawInsertTagsPerSec: undefined,
    baselineTagsPerSec: undefined,
    runMs10k: 40_000,
    runMs100k: 420_000,
    peakRss100k: 250 * MB,
    peakRss1m: undefined,
  }),
  notes: ["a note"],
};

describe("renderReport", () => {
  test("the targets table carries each verdict and ratio; the passes table each size", () => {
    const md = renderReport(RESULT);
    assert.match(
      md,
      /\| RS256 end to end vs single-core signing rate \| ≥ 1\.0 \| 0\.23 \| .* \| \*\*FAIL\*\* \|/,
    );
    assert.match(
      md,
      /\| time at 100,000 tags vs time at 10,000 \| ≤ 11\.0 \| 10\.50 \| 420\.0 s \/ 40\.0 s \| \*\*PASS\*\* \|/,
    );
    assert.match(
      md,
      /\| 100,000 \| RS256 \| 420\.0 s \| 233\.3 \| 3,800 ms \| 4,500 ms \| 2,800 \| 250\.0 MB \|/,
    );
    assert.match(md, /2\.50 \/ 3\.00 \/ 3\.50 at the start/);
    assert.match(md, /- a note/);
  });
});

describe("replaceReadmeSection", () => {
  const section = renderReadmeSection(RESULT);

  test("appends a Performance section with the markers when the README has none", () => {
    const out = replaceReadmeSection("# Title\n\nText.\n", section);
    assert.ok(out.startsWith("# Title\n\nText.\n\n## Performance\n\n<!-- bench:start -->\n"));
    assert.ok(out.endsWith(`${README_END}\n`));
    assert.ok(out.includes("**FAIL**"));
  });

  test("replaces only what lies between the markers, idempotently", () => {
    const readme = `# T\n\n## Performance\n\n${README_START}\nold table\n${README_END}\n\nafter\n`;
    const once = replaceReadmeSection(readme, "new table");
    assert.equal(once, `# T\n\n## Performance\n\n${README_START}\nnew table\n${README_END}\n\nafter\n`);
    assert.equal(replaceReadmeSection(once, "new table"), once);
  });
});
