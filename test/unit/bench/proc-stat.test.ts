import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cpuMsPerTag, parseProcStat } from "../../../bench/lib/proc-stat.js";

// A postmaster's line as Linux writes it (fields 14–17: utime stime cutime cstime).
const POSTMASTER =
  "2186 (postgres) S 1 2186 2186 0 -1 4194304 3903 12013 0 0 1 3 5 11 20 0 1 0 4583 222445568 7334 18446744073709551615";

describe("parseProcStat", () => {
  test("reads pid, name, parent and the four time fields", () => {
    assert.deepEqual(parseProcStat(POSTMASTER), {
      pid: 2186,
      comm: "postgres",
      ppid: 1,
      utime: 1,
      stime: 3,
      cutime: 5,
      cstime: 11,
    });
  });

  test("a name holding spaces and parentheses does not shift the fields", () => {
    const s = parseProcStat("77 (a (b) c) S 5 77 77 0 -1 0 0 0 0 0 8 9 1 2 20 0");
    assert.equal(s?.comm, "a (b) c");
    assert.equal(s?.ppid, 5);
    assert.deepEqual([s?.utime, s?.stime, s?.cutime, s?.cstime], [8, 9, 1, 2]);
  });

  test("what is not a stat line is undefined", () => {
    assert.equal(parseProcStat(""), undefined);
    assert.equal(parseProcStat("12 (x) S"), undefined);
  });
});

describe("cpuMsPerTag", () => {
  test("per tag in ms; no tags, no figure", () => {
    assert.equal(cpuMsPerTag(3, 1500), 2);
    assert.equal(cpuMsPerTag(3, 0), undefined);
  });
});
