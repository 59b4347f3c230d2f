import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LatencyRecorder, type WorkloadSummary } from "../../../bench/lib/latency-summary.js";
import { LiveUsageError, parseLiveOptions } from "../../../bench/lib/live-options.js";
import {
  contendedCount,
  jsonLogLines,
  p99Ratio,
  P99_GOAL,
  shareWithinTarget,
  throttledFraction,
  throttleReasons,
  type LivePhase,
  type LiveResult,
} from "../../../bench/lib/live-result.js";
import {
  renderLiveReadmeSection,
  renderLiveReport,
  replaceLiveReadmeSection,
} from "../../../bench/lib/render-live.js";
import { chooseTopology } from "../../../bench/lib/live-topology.js";

function summary(latencies: number[]): WorkloadSummary {
  const r = new LatencyRecorder();
  for (const ms of latencies) r.record("tag", ms);
  return r.summary(10, 1000);
}

describe("the live bench's measures", () => {
  test("share of batches within ±50% of the target, bounds included", () => {
    assert.equal(shareWithinTarget([1000, 2000, 3000, 999, 3001], 2000), 3 / 5);
    assert.ok(Number.isNaN(shareWithinTarget([], 2000)));
    assert.equal(shareWithinTarget([1900], 2000, 0.01), 0);
  });

  test("throttled fraction is clamped to 0..1 and 0 for a run of no length", () => {
    assert.equal(throttledFraction(2500, 10_000), 0.25);
    assert.equal(throttledFraction(20_000, 10_000), 1);
    assert.equal(throttledFraction(5, 0), 0);
  });

  test("p99 ratio against the workload alone; missing phases are NaN", () => {
    const alone = summary(Array.from({ length: 100 }, (_, i) => i + 1));
    const loaded = summary(Array.from({ length: 100 }, (_, i) => 2 * (i + 1)));
    assert.equal(p99Ratio(alone, loaded), 2);
    assert.ok(Number.isNaN(p99Ratio(alone, undefined)));
    assert.ok(Number.isNaN(p99Ratio(summary([]), loaded)));
  });

  test("the run log: throttle reasons (distinct) and contended deliveries; non-JSON lines skipped", () => {
    const text = [
      '{"event":"throttle.started","reason":"connection use 93% > 90%"}',
      "plain summary line",
      '{"event":"throttle.started","reason":"connection use 93% > 90%"}',
      '{"event":"batch.contended","sqlstate":"55P03"}',
      '{"event":"throttle.started","reason":"oldest transaction 400 s > 300 s"}',
      '{"event":"batch.cont',
    ].join("\n");
    const lines = jsonLogLines(text);
    assert.equal(lines.length, 4);
    assert.deepEqual(throttleReasons(lines), [
      "connection use 93% > 90%",
      "oldest transaction 400 s > 300 s",
    ]);
    assert.equal(contendedCount(lines), 1);
  });
});

describe("the live bench's flags", () => {
  test("defaults and values", () => {
    const d = parseLiveOptions([]);
    assert.deepEqual([d.tags, d.seconds, d.rate, d.targetBatchSeconds, d.readme], [20_000, 30, 50, 2, true]);
    assert.equal(d.topology, undefined, "chosen by the machine's CPUs");
    const o = parseLiveOptions(["--tags", "5_000", "--rate", "80", "--no-readme", "--keep-databases"]);
    assert.deepEqual([o.tags, o.rate, o.readme, o.keepDatabases], [5000, 80, false, true]);
    assert.equal(parseLiveOptions(["--topology", "shared"]).topology, "shared");
    assert.equal(parseLiveOptions(["--topology", "separate"]).topology, "separate");
    assert.equal(d.niceRatio, undefined, "no nice-ratio phase unless asked for");
    assert.equal(parseLiveOptions(["--nice-ratio", "0.5"]).niceRatio, 0.5);
  });

  test("bad values name themselves", () => {
    for (const [argv, message] of [
      [["--tags", "12.5"], /--tags .*'12.5'/],
      [["--tags", "5"], /--tags .*'5'/],
      [["--rate", "x"], /--rate .*'x'/],
      [["--target-batch-seconds", "0"], /--target-batch-seconds .*'0'/],
      [["--size", "3"], /size/],
      [["--topology", "split"], /--topology .*'split'/],
      [["--nice-ratio", "101"], /--nice-ratio .*'101'/],
    ] as const) {
      assert.throws(
        () => parseLiveOptions(argv),
        (err: unknown) => err instanceof LiveUsageError && message.test(err.message),
      );
    }
  });
});

describe("the live report", () => {
  const alone = summary([10, 20, 30]);
  const result: LiveResult = {
    startedAt: "2026-12-02T16:00:00.000Z",
    finishedAt: "2026-12-02T16:05:00.000Z",
    revision: "abc1234",
    command: "npm run bench:live -- --tags 1000",
    machine: {
      cpus: 2,
      cpuModel: "x",
      postgres: "PostgreSQL 15",
      loadAvgStart: [3, 2, 1],
      loadAvgEnd: [3, 2, 1],
    },
    settings: { tags: 1000, rate: 10, aloneSeconds: 5, targetBatchSeconds: 2, seedMs: 100 },
    phases: [
      { name: "alone", loadAvgAtStart: [3], workload: alone },
      {
        name: "backfill, default throttling",
        loadAvgAtStart: [3.5],
        workload: summary([10, 20, 40]),
        backfill: {
          throttling: "default",
          tags: 1000,
          status: "completed",
          runMs: 10_000,
          tagsPerSec: 100,
          throttledMs: 2500,
          throttledFraction: 0.25,
          throttleReasons: ["connection use 93% > 90%"],
          batches: 4,
          batchDurationsMs: [1000, 2000, 3000, 5000],
          withinTargetShare: 0.75,
          contended: 0,
          throttle: {
            readings: 2,
            tiers: { clear: 1, throttle: 1, critical: 0 },
            probeMs: [3.25, 80],
            signals: [{ name: "response_time", readings: 2, p50: 41.6, max: 80 }],
            events: [{ atS: 6, event: "started", reason: "database response 80 ms > 50 ms" }],
            pace: [
              { atS: 8.3, from: 0, ratio: 1, reason: "60% of commits slowed past 2.7 ms while writing" },
            ],
          },
        },
      },
    ],
    ratios: { throttledP99: 1.4, unthrottledP99: Number.NaN },
    topology: { ...chooseTopology(undefined, 2), server: "private" },
    goal: P99_GOAL,
    notes: ["a note"],
  };

  test("names the goal, its verdict, the throughput, the throttled share and the reasons", () => {
    const md = renderLiveReport(result);
    assert.match(md, /\| backfill, default throttling \| ≤ 1.5× \| 1.40× \| – \| \*\*PASS\*\* \|/);
    assert.match(md, /\| backfill, throttling off \| \(for comparison\) \| – \| – \|/);
    assert.match(md, /\| default \| 1,000 \| 10.0 s \| 100.0 \| 25% \| 4 \| 75% \| 0 \|/);
    assert.match(md, /throttled for connection use 93% > 90%/);
    assert.match(md, /shared with other jobs/);
    assert.match(
      renderLiveReport({ ...result, ratios: { ...result.ratios, throttledP99: 1.6 } }),
      /\*\*FAIL\*\*/,
    );
  });

  test("says which topology ran and why, in the report and the README section", () => {
    for (const md of [renderLiveReport(result), renderLiveReadmeSection(result)]) {
      assert.match(
        md,
        /Topology: \*\*separate\*\*, on a private PostgreSQL server\. Why: the default .*CPU 1/,
      );
    }
    const { topology: _, ...older } = result;
    assert.match(renderLiveReport(older), /Topology: shared .*recorded before/);
  });

  test("what the throttle saw: readings by verdict, the probe's medians, signals, events", () => {
    const md = renderLiveReport(result);
    assert.match(
      md,
      /\*\*backfill, default throttling\*\*: 2 readings \(1 clear, 1 throttle, 0 critical\); the probe's medians, in order: 3\.3, 80 ms\./,
    );
    assert.match(md, /\| response_time \| 2 \| 42 \| 80 \|/);
    assert.match(md, /\| 6\.0 s \| started \| database response 80 ms > 50 ms \| +\|/);
    assert.match(md, /\| 8\.3 s \| 0 → 1 \| 60% of commits slowed past 2\.7 ms while writing \|/);
    const unpaced = { ...result, phases: result.phases.map((p) => withoutPace(p)) };
    assert.match(renderLiveReport(unpaced), /No pace\.changed line\./);
  });

  test("alone again at the end: ratios against it too, and no verdict when the baseline moved more than the goal", () => {
    const after = (latencies: number[]) => ({
      name: "alone, after" as const,
      loadAvgAtStart: [1],
      workload: summary(latencies),
    });
    const steady = renderLiveReport({ ...result, phases: [...result.phases, after([10, 20, 35])] });
    assert.match(steady, /\| backfill, default throttling \| ≤ 1.5× \| 1.40× \| 1\.14× \| \*\*PASS\*\* \|/);
    const moved = renderLiveReport({ ...result, phases: [...result.phases, after([100, 200, 300])] });
    assert.match(
      moved,
      /\| backfill, default throttling \| ≤ 1.5× \| 1.40× \| 0\.13× \| \*\*INCONCLUSIVE\*\*: alone moved 10\.00× during the run \|/,
    );
    assert.doesNotMatch(moved, /PASS|FAIL/);
  });

  test("the nice-ratio phase has its own ratio row and backfill row", () => {
    const nice = result.phases[1];
    assert.ok(nice?.backfill);
    const md = renderLiveReport({
      ...result,
      settings: { ...result.settings, niceRatio: 1 },
      phases: [
        ...result.phases,
        {
          ...nice,
          name: "backfill, default throttling + nice ratio",
          backfill: { ...nice.backfill, throttling: "nice", niceRatio: 1 },
        },
      ],
      ratios: { ...result.ratios, niceP99: 1.1 },
    });
    assert.match(
      md,
      /\| backfill, default throttling \+ nice ratio 1 \| \(for comparison\) \| 1\.10× \| – \|/,
    );
    assert.match(md, /\| nice ratio 1 \| 1,000 \|/);
  });

  test("the README section is replaced between its markers, or appended once", () => {
    const section = renderLiveReadmeSection(result);
    const readme = "# x\n\n<!-- bench-live:start -->\nold\n<!-- bench-live:end -->\n\n## after\n";
    const replaced = replaceLiveReadmeSection(readme, section);
    assert.doesNotMatch(replaced, /\nold\n/);
    assert.match(replaced, /## after\n$/);
    assert.equal(replaceLiveReadmeSection(replaced, section), replaced);
    const appended = replaceLiveReadmeSection("# y\n", section);
    assert.equal(appended.match(/bench-live:start/g)?.length, 1);
  });
});

/** The phase as a run logged without the pacer would give it. */
function withoutPace(phase: LivePhase): LivePhase {
  const seen = phase.backfill?.throttle;
  if (!phase.backfill || !seen) return phase;
  return { ...phase, backfill: { ...phase.backfill, throttle: { ...seen, pace: [] } } };
}
