import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { estimateRun, formatRate, runningMs, runRate } from "../../../src/run/run-rate.js";

const at = (s: number) => s * 1000;

describe("runningMs", () => {
  test("counts only the time between a change into running and the next change", () => {
    const events = [
      { atMs: at(10), to: "running" },
      { atMs: at(40), to: "paused" },
      { atMs: at(100), to: "running" },
      { atMs: at(120), to: "completed" },
    ];
    assert.equal(runningMs(events, at(999)), at(50));
  });
  test("a run still running counts up to now; paused counts nothing more", () => {
    assert.equal(runningMs([{ atMs: at(5), to: "running" }], at(25)), at(20));
    const paused = [
      { atMs: at(5), to: "running" },
      { atMs: at(15), to: "paused" },
    ];
    assert.equal(runningMs(paused, at(1000)), at(10));
  });
  test("a run that never ran has no running time", () => {
    assert.equal(runningMs([], at(10)), 0);
    assert.equal(runningMs([{ atMs: 0, to: "cancelled" }], at(10)), 0);
  });
});

describe("runRate", () => {
  test("tags mapped per second of running time, paused time excluded", () => {
    const estimate = runRate({
      mapped: 500,
      done: 510,
      total: 1000,
      events: [
        { atMs: at(0), to: "running" },
        { atMs: at(2), to: "paused" },
        { atMs: at(60), to: "running" },
      ],
      nowMs: at(63),
    });
    assert.deepEqual(estimate, { done: 510, total: 1000, ratePerSec: 100, etaMs: 4900, runningMs: 5000 });
  });
  test("a finished run keeps its rate whenever it is read, and has nothing left", () => {
    const events = [
      { atMs: at(0), to: "running" },
      { atMs: at(4), to: "completed" },
    ];
    const a = runRate({ mapped: 1000, done: 1000, total: 1000, events, nowMs: at(5) });
    const b = runRate({ mapped: 1000, done: 1000, total: 1000, events, nowMs: at(5000) });
    assert.equal(a.ratePerSec, 250);
    assert.deepEqual(a, b);
    assert.equal(a.etaMs, 0);
  });
  test("no ETA while paused or before anything was mapped", () => {
    const paused = [
      { atMs: 0, to: "running" },
      { atMs: at(10), to: "paused" },
    ];
    assert.equal(runRate({ mapped: 10, done: 10, total: 20, events: paused, nowMs: at(50) }).etaMs, null);
    const started = [{ atMs: 0, to: "running" }];
    assert.equal(runRate({ mapped: 0, done: 0, total: 20, events: started, nowMs: at(5) }).etaMs, null);
  });
  test("rounded to 0.1 and printed one way", () => {
    const events = [{ atMs: 0, to: "running" }];
    const { ratePerSec } = runRate({ mapped: 1000, done: 1000, total: 2000, events, nowMs: 3000 });
    assert.equal(ratePerSec, 333.3);
    assert.equal(formatRate(ratePerSec), "333.3 tags/s");
    assert.equal(formatRate(0), "0.0 tags/s");
  });
  test("estimateRun counts backfilled and BROKEN placeholders as mapped, not skipped or failed", () => {
    const events = [{ atMs: 0, to: "running" }];
    const tags = { backfilled: 70, backfilled_broken: 10, done: 100 };
    const e = estimateRun(null, tags, events, at(8));
    assert.equal(e.ratePerSec, 10);
    assert.equal(e.total, 100, "total is never below what is done");
  });
});
