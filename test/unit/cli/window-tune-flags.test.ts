import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NotFoundError, UsageError } from "../../../src/errors.js";
import { describeTune, parseMaxLag, tuneChange } from "../../../src/cli/tune-command.js";
import { NICE_RATIO_DEFAULT, parseNiceRatio } from "../../../src/cli/run-setting-options.js";
import { parseWindowFlags } from "../../../src/cli/window-options.js";

const usage = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof UsageError && pattern.test(err.message));

describe("--window, --time-zone and tune flags", () => {
  test("a window in a zone, UTC by default, normalised; none without --window", () => {
    assert.deepEqual(parseWindowFlags({ window: "22:00-06:00", timeZone: "Europe/Berlin" }), {
      window: "22:00-06:00",
      zone: "Europe/Berlin",
    });
    assert.deepEqual(parseWindowFlags({ window: "09:00-17:30" }), { window: "09:00-17:30", zone: "UTC" });
    assert.equal(parseWindowFlags({}), undefined);
    assert.equal(parseWindowFlags({ window: false }), null);
  });

  test("bad window flags name the value", () => {
    usage(() => parseWindowFlags({ window: "22:00-22:00" }), /'22:00-22:00' is empty/);
    usage(() => parseWindowFlags({ window: "10pm-6am" }), /--window expects HH:MM-HH:MM.*'10pm-6am'/);
    usage(() => parseWindowFlags({ window: "22:00-06:00", timeZone: "Europe/Nowhere" }), /'Europe\/Nowhere'/);
    usage(() => parseWindowFlags({ timeZone: "UTC" }), /--time-zone 'UTC' needs --window/);
    usage(() => parseWindowFlags({ window: false, timeZone: "UTC" }), /--no-window or --time-zone/);
  });

  test("--max-lag: positive seconds", () => {
    assert.equal(parseMaxLag("30"), 30);
    assert.equal(parseMaxLag("2.5"), 2.5);
    for (const raw of ["0", "-1", "abc", "1e3", "90000"])
      usage(() => parseMaxLag(raw), new RegExp(`'${raw}'`));
  });

  test("--nice-ratio: 0 to 100, or default (the process's variable)", () => {
    assert.equal(parseNiceRatio("0"), 0);
    assert.equal(parseNiceRatio("9"), 9);
    assert.equal(parseNiceRatio("0.5"), 0.5);
    assert.equal(parseNiceRatio("Default"), NICE_RATIO_DEFAULT);
    for (const raw of ["-1", "101", "abc", "1e2", ""])
      usage(() => parseNiceRatio(raw), new RegExp(`--nice-ratio expects .*'${raw}'`));
    assert.deepEqual(tuneChange({ niceRatio: 4 }), { niceRatio: 4 });
    assert.deepEqual(tuneChange({ niceRatio: NICE_RATIO_DEFAULT }), { niceRatio: null });
  });

  test("tune needs something to change", () => {
    usage(() => tuneChange({}), /nothing to change/);
    assert.deepEqual(tuneChange({ batchSize: 50, maxLag: 10, window: false }), {
      batchSize: 50,
      maxReplicaLagS: 10,
      window: null,
    });
  });

  test("tune's line: changes and the re-cut; unknown run is not found, a finished one a usage error", () => {
    assert.throws(() => describeTune("7", { kind: "unknown-run" }), NotFoundError);
    usage(
      () => describeTune("7", { kind: "finished", status: "completed" }),
      /cannot tune run 7: it is completed/,
    );
    const line = describeTune("7", {
      kind: "tuned",
      run: {} as never,
      changes: { batchSize: { from: 500, to: 100 }, window: { from: null, to: "22:00-06:00 UTC" } },
      recut: { removed: ["1", "2"], added: ["3", "4", "5"] },
      enqueued: { ok: true },
    });
    assert.equal(
      line,
      "run 7: batchSize 500 -> 100, window none -> 22:00-06:00 UTC; 2 pending batch(es) re-cut into 3; from each worker's next batch",
    );
  });
});
