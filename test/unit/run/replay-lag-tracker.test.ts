import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseLsn, ReplayLagTracker } from "../../../src/run/replay-lag-tracker.js";

/** A replica at `replayLsn` for which PostgreSQL shows `replayLagS` (0: none). */
const at = (replayLsn: string, replayLagS = 0) => ({ replayLsn, replayLagS });

describe("parseLsn", () => {
  test("reads both halves, so positions across a 4 GiB boundary compare", () => {
    assert.equal(parseLsn("0/0"), 0n);
    assert.equal(parseLsn("0/3001110"), 0x3001110n);
    assert.equal(parseLsn("16/B374D848"), (0x16n << 32n) + 0xb374d848n);
    assert.ok(parseLsn("1/0") > parseLsn("0/FFFFFFFF"));
  });

  test("refuses what is not a position", () => {
    assert.throws(() => parseLsn("3001110"), /not a WAL position: '3001110'/);
    assert.throws(() => parseLsn("0/xyz"), /not a WAL position/);
  });
});

describe("replay lag tracker", () => {
  test("no replicas, or replicas with nothing to replay: 0, whatever PostgreSQL's stale figure says", () => {
    const t = new ReplayLagTracker();
    assert.equal(t.observe(0, "0/100", []), 0);
    assert.equal(t.observe(1000, "0/200", [at("0/200", 0.86)]), 0);
    // Idle for a long time: the primary writes nothing, the replica has everything.
    assert.equal(t.observe(600_000, "0/200", [at("0/200")]), 0);
  });

  test("replay stopped: the lag is the age of the oldest position not replayed, growing every reading", () => {
    const t = new ReplayLagTracker();
    assert.equal(t.observe(0, "0/100", [at("0/100")]), 0);
    // WAL written after the reading at 0 s; the replica stopped at 0/100.
    assert.equal(t.observe(1000, "0/180", [at("0/100")]), 0, "first seen now: no age yet");
    assert.equal(t.observe(2000, "0/200", [at("0/100")]), 1);
    // No new WAL, and PostgreSQL's replay_lag frozen at its last report: the lag still grows.
    assert.equal(t.observe(7000, "0/200", [at("0/100", 0.4)]), 6);
  });

  test("replay resumes: partly replayed WAL is as old as the next position not replayed; caught up is 0", () => {
    const t = new ReplayLagTracker();
    t.observe(0, "0/100", [at("0/100")]);
    t.observe(1000, "0/200", [at("0/100")]);
    t.observe(2000, "0/300", [at("0/100")]);
    assert.equal(t.observe(5000, "0/300", [at("0/200")]), 3, "0/300 was reached at 2 s");
    assert.equal(t.observe(6000, "0/300", [at("0/300", 2.5)]), 0);
  });

  test("PostgreSQL's figure wins when it is larger (a replica already behind when the worker started)", () => {
    const t = new ReplayLagTracker();
    assert.equal(t.observe(0, "0/500", [at("0/100", 42)]), 42);
    assert.equal(t.observe(1000, "0/500", [at("0/100", 42)]), 42);
    assert.equal(t.observe(2000, "0/500", [at("0/100", 44)]), 44);
  });

  test("several replicas: the largest lag; samples the slowest still needs are kept", () => {
    const t = new ReplayLagTracker();
    t.observe(0, "0/100", [at("0/100"), at("0/100")]);
    t.observe(1000, "0/200", [at("0/200"), at("0/100")]);
    t.observe(2000, "0/300", [at("0/300"), at("0/100")]);
    assert.equal(t.observe(4000, "0/300", [at("0/300"), at("0/150")]), 3, "0/200 was reached at 1 s");
    assert.equal(t.observe(5000, "0/300", [at("0/300"), at("0/300")]), 0);
  });

  test("a long stop keeps the time of the oldest position not replayed when samples are thinned", () => {
    const t = new ReplayLagTracker();
    t.observe(0, "0/10", [at("0/10")]);
    let lsn = 0x10;
    for (let s = 1; s <= 10_000; s++) {
      lsn += 0x10;
      t.observe(s * 1000, `0/${lsn.toString(16)}`, [at("0/10")]);
    }
    assert.equal(t.observe(10_001_000, `0/${lsn.toString(16)}`, [at("0/10")]), 10_000);
  });
});
