import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chooseTopology, pinned, TopologyError } from "../../../bench/lib/live-topology.js";
import { throttleSeen } from "../../../bench/lib/throttle-seen.js";

describe("the live bench's topology", () => {
  test("separate by default on two CPUs: database and workload on CPU 0, the backfill on CPU 1", () => {
    const p = chooseTopology(undefined, 2);
    assert.deepEqual(
      [p.topology, p.databaseCpus, p.workloadCpus, p.backfillCpus],
      ["separate", "0", "0", "1"],
    );
    assert.match(p.why, /default .* production/);
  });

  test("on more CPUs the backfill gets all but CPU 0", () => {
    assert.equal(chooseTopology(undefined, 4).backfillCpus, "1-3");
    assert.equal(chooseTopology("separate", 8).databaseCpus, "0");
  });

  test("shared, asked for or on one CPU, pins nothing", () => {
    for (const p of [chooseTopology("shared", 4), chooseTopology(undefined, 1)]) {
      assert.deepEqual(
        [p.topology, p.databaseCpus, p.workloadCpus, p.backfillCpus],
        ["shared", undefined, undefined, undefined],
      );
    }
    assert.match(chooseTopology("shared", 4).why, /asked for/);
    assert.match(chooseTopology(undefined, 1).why, /1 CPU/);
  });

  test("separate on one CPU is refused with the count", () => {
    assert.throws(
      () => chooseTopology("separate", 1),
      (e: unknown) => e instanceof TopologyError && /has 1/.test(e.message),
    );
  });

  test("a pinned command goes through taskset; an unpinned one is unchanged", () => {
    assert.deepEqual(pinned("1", "node", ["a.js", "run"]), ["taskset", ["-c", "1", "node", "a.js", "run"]]);
    assert.deepEqual(pinned(undefined, "node", ["a.js"]), ["node", ["a.js"]]);
  });
});

describe("what the throttle saw, from a run's log", () => {
  const start = Date.parse("2026-12-02T20:00:00.000Z");
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  const lines = [
    { event: "run.started", time: at(0) },
    {
      event: "throttle.read",
      time: at(1),
      tier: "clear",
      reason: null,
      signals: { response_time: 3.2, replay_lag: 0 },
    },
    {
      event: "throttle.read",
      time: at(6),
      tier: "throttle",
      reason: "database response 80 ms > 50 ms",
      signals: { response_time: 80, replay_lag: 0 },
    },
    { event: "throttle.started", time: at(6.04), reason: "database response 80 ms > 50 ms" },
    {
      event: "throttle.read",
      time: at(11),
      tier: "clear",
      reason: null,
      signals: { response_time: null, replay_lag: 1 },
    },
    {
      event: "throttle.ended",
      time: at(11.5),
      reason: "database response 80 ms > 50 ms",
      durationMs: 5460,
      totalMs: 5460,
    },
    { event: "batch.completed", time: at(12) },
  ];

  test("readings by verdict, the probe's medians in order (a failed one null), each signal's median and max", () => {
    const seen = throttleSeen(lines, start);
    assert.equal(seen.readings, 3);
    assert.deepEqual(seen.tiers, { clear: 2, throttle: 1, critical: 0 });
    assert.deepEqual(seen.probeMs, [3.2, 80, null]);
    assert.deepEqual(seen.signals, [
      { name: "response_time", readings: 2, p50: 41.6, max: 80 },
      { name: "replay_lag", readings: 3, p50: 0, max: 1 },
    ]);
  });

  test("throttle events with their time since the run's start and the stretch's length", () => {
    assert.deepEqual(throttleSeen(lines, start).events, [
      { atS: 6, event: "started", reason: "database response 80 ms > 50 ms" },
      { atS: 11.5, event: "ended", reason: "database response 80 ms > 50 ms", durationMs: 5460 },
    ]);
  });

  test("a log without throttle lines saw nothing", () => {
    assert.deepEqual(throttleSeen([{ event: "batch.completed" }], start), {
      readings: 0,
      tiers: { clear: 0, throttle: 0, critical: 0 },
      probeMs: [],
      signals: [],
      events: [],
      pace: [],
    });
  });

  test("the pacer's changes of ratio, in order, with their time since the run's start", () => {
    const paced = [
      ...lines,
      { event: "pace.changed", time: at(8.26), from: 0, ratio: 1, reason: "60% of commits slowed …" },
      { event: "pace.changed", time: at(30), from: 1, ratio: 0, reason: "application idle" },
    ];
    assert.deepEqual(throttleSeen(paced, start).pace, [
      { atS: 8.3, from: 0, ratio: 1, reason: "60% of commits slowed …" },
      { atS: 30, from: 1, ratio: 0, reason: "application idle" },
    ]);
  });
});
