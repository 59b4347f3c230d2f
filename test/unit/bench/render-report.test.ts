import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BenchResult } from "../../../bench/lib/bench-result.js";
import { evaluateTargets } from "../../../bench/lib/evaluate-targets.js";
import { LatencyRecorder } from "../../../bench/lib/latency-summary.js";
import { P99_GOAL, type LiveResult } from "../../../bench/lib/live-result.js";
import { chooseTopology } from "../../../bench/lib/live-topology.js";
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
    {
      size: 100_000,
      alg: "RS256",
      seedMs: 50_000,
      metrics: metrics(98_000, 420_000),
      throughput: [],
      pgCpu: { databaseSec: 98, backends: 5, autovacuumSec: 7, backgroundSec: 12, wallMs: 420_000 },
    },
  ],
  limits: { signing: undefined, rawInsert: undefined, baseline: undefined },
  targets: evaluateTargets({
    rs256TagsPerSec: 233,
    es256TagsPerSec: undefined,
    rawInsertTagsPerSec: 1000,
    baselineTagsPerSec: undefined,
    pgCpuMsPerTag: 0.9,
    rawPgCpuMsPerTag: 0.6,
    runSmall: { size: 10_000, value: 40_000 },
    runReference: { size: 100_000, value: 420_000 },
    rssLargest: { size: 100_000, value: 250 * MB },
    rssBase: { size: 10_000, value: 250 * MB },
  }),
  notes: ["a note"],
};

describe("renderReport", () => {
  test("the targets table carries each verdict and ratio; the passes table each size", () => {
    const md = renderReport(RESULT);
    assert.match(
      md,
      /\| RS256 end to end vs raw server-side insert rate \| ≥ 0\.6 \| 0\.23 \| .* \| \*\*FAIL\*\* \|/,
    );
    assert.match(
      md,
      /\| time at 100,000 tags vs time at 10,000 \| ≤ 11\.0 \| 10\.50 \| 420\.0 s \/ 40\.0 s \| \*\*PASS\*\* \|/,
    );
    assert.match(
      md,
      /\| 100,000 \| RS256 \| 420\.0 s \| 233\.3 \| 3,800 ms \| 4,500 ms \| 2,800 \| 1\.00 ms \| 0\.07 ms \| 250\.0 MB \|/,
    );
    assert.match(
      md,
      /\| PostgreSQL CPU per tag vs the raw insert's \| ≤ 1\.3 \| 1\.50 \| end to end 0\.90 ms \/ raw insert 0\.60 ms \| \*\*FAIL\*\* \|/,
    );
    assert.doesNotMatch(md, /## Scale-out/, "no scale-out section unless it ran");
    assert.match(md, /2\.50 \/ 3\.00 \/ 3\.50 at the start/);
    assert.match(md, /- a note/);
  });
});

describe("the live phases in the bench report", () => {
  const workload = (p99: number) => {
    const r = new LatencyRecorder();
    for (const ms of [1, 2, p99]) r.record("tag", ms);
    return r.summary(10, 1000);
  };
  const live: LiveResult = {
    startedAt: "2026-12-02T16:00:00.000Z",
    finishedAt: "2026-12-02T16:05:00.000Z",
    revision: "abc1234",
    command: "npm run bench",
    machine: {
      cpus: 2,
      cpuModel: "x",
      postgres: "PostgreSQL 15",
      loadAvgStart: [1, 1, 1],
      loadAvgEnd: [1, 1, 1],
    },
    topology: { ...chooseTopology(undefined, 2), server: "private" },
    settings: { tags: 20_000, rate: 50, aloneSeconds: 30, targetBatchSeconds: 2, seedMs: 100 },
    phases: [
      { name: "alone", loadAvgAtStart: [1], workload: workload(10) },
      { name: "backfill, default throttling", loadAvgAtStart: [1], workload: workload(12) },
    ],
    ratios: { throttledP99: 1.2, unthrottledP99: 2.5 },
    goal: P99_GOAL,
    notes: [],
  };

  test("the ratios with their verdict, the topology and the phases, only when the live phases ran", () => {
    const md = renderReport({ ...RESULT, live });
    assert.match(md, /## Beside a live workload/);
    assert.match(md, /20,000-tag registry/);
    assert.match(md, /Topology: \*\*separate\*\*/);
    assert.match(md, /\| backfill, default throttling \| ≤ 1\.5× \| 1\.20× \| – \| \*\*PASS\*\* \|/);
    assert.match(md, /\| backfill, throttling off \| \(for comparison\) \| 2\.50× \| – \|/);
    assert.doesNotMatch(renderReport(RESULT), /Beside a live workload/);
  });
});

describe("scale-out", () => {
  test("one row per worker count, with the projection per PostgreSQL core, in the report and the README", () => {
    const row = {
      workers: 2,
      size: 100_000,
      alg: "ES256" as const,
      tags: 98_000,
      spanMs: 98_000,
      tagsPerSec: 1000,
      pgCpu: { databaseSec: 49, backends: 10, backgroundSec: 5, wallMs: 99_000 },
      pgCpuMsPerTag: 0.5,
      pgCores: 0.5,
      tagsPerSecPerPgCore: 2000,
      workerCpuMsPerTag: 1.5,
      peakRssBytes: 240 * MB,
    };
    const withRows = { ...RESULT, scaleOut: [row] };
    const line =
      /\| 2 \| 98,000 \| ES256 \| 98\.0 s \| 1000\.0 \| 0\.50 ms \| 0\.50 \| 2,000 \| 1\.50 ms \| 0\.05 ms \| 240\.0 MB \|/;
    assert.match(renderReport(withRows), /## Scale-out/);
    assert.match(renderReport(withRows), line);
    assert.match(renderReadmeSection(withRows), line);
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
