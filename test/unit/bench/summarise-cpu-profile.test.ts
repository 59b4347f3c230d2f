import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { summariseCpuProfile, type CpuProfile } from "../../../bench/lib/summarise-cpu-profile.js";

const frame = (functionName: string, url = "", lineNumber = 0) => ({ functionName, url, lineNumber });
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 3, 5] },
    { id: 2, callFrame: frame("(idle)") },
    { id: 3, callFrame: frame("writePass", "file:///repo/src/backfill/write-pass.ts", 9), children: [4] },
    { id: 4, callFrame: frame("parse", "file:///repo/node_modules/pg/lib/result.js", 99) },
    // The same function reached by another path adds up.
    { id: 5, callFrame: frame("writePass", "file:///repo/src/backfill/write-pass.ts", 9) },
    { id: 6, callFrame: frame("(garbage collector)") },
  ],
  startTime: 0,
  endTime: 10_000,
  // Each sample is charged the delta to the next one.
  samples: [2, 3, 4, 5, 6, 2],
  timeDeltas: [0, 1000, 2000, 3000, 3000, 1000],
};

describe("summariseCpuProfile", () => {
  test("self time per function and per file, idle left out of the percentages", () => {
    const s = summariseCpuProfile(PROFILE, "/repo");
    assert.equal(s.totalMs, 10);
    assert.equal(s.idleMs, 1);
    assert.equal(s.busyMs, 9);
    assert.deepEqual(
      s.top.map((f) => [f.function, f.selfMs]),
      [
        ["writePass (src/backfill/write-pass.ts:10)", 5],
        ["parse (node_modules/pg/lib/result.js:100)", 3],
        ["(garbage collector)", 1],
      ],
    );
    assert.ok(Math.abs((s.top[0]?.selfPct ?? 0) - 500 / 9) < 1e-9);
    assert.deepEqual(
      s.byFile.map((f) => f.function),
      ["src/backfill/write-pass.ts", "node_modules/pg/lib/result.js", "(garbage collector)"],
    );
  });

  test("a profile without samples is empty", () => {
    const s = summariseCpuProfile({ nodes: [], startTime: 0, endTime: 0 });
    assert.equal(s.busyMs, 0);
    assert.deepEqual(s.top, []);
  });
});
