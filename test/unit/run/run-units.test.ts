import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { classifyError } from "../../../src/classify-error.js";
import { PermanentJobError, UsageError } from "../../../src/errors.js";
import { SigningKeyError } from "../../../src/manifest/errors.js";
import { formatDuration } from "../../../src/run/progress-meter.js";
import { runTarget } from "../../../src/run/run-target.js";
import { passVerdict } from "../../../src/run/run-summary.js";
import type { BatchProgress } from "../../../src/db/batch-progress.js";

describe("classifyError", () => {
  const cases: [string, unknown, string][] = [
    [
      "connection refused",
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      "unavailable",
    ],
    ["admin shutdown", Object.assign(new Error("terminating connection"), { code: "57P01" }), "unavailable"],
    ["connection exception class 08", Object.assign(new Error("x"), { code: "08006" }), "unavailable"],
    [
      "wrapped in a cause",
      new Error("batch failed", { cause: Object.assign(new Error("x"), { code: "ECONNRESET" }) }),
      "unavailable",
    ],
    ["pool message", new Error("Connection terminated unexpectedly"), "unavailable"],
    ["permanent", new PermanentJobError("no such run"), "permanent"],
    ["unusable key", new SigningKeyError("bad key"), "permanent"],
    ["unique violation retries", Object.assign(new Error("dup"), { code: "23505" }), "retry"],
    ["anything else retries", new TypeError("boom"), "retry"],
    [
      "a name is not a type: an Error named UsageError retries",
      Object.assign(new Error("x"), { name: "UsageError" }),
      "retry",
    ],
    [
      "a permanent cause makes the wrapper permanent",
      new Error("wrapped", { cause: new UsageError("bad flag") }),
      "permanent",
    ],
  ];
  for (const [name, err, expected] of cases) test(name, () => assert.equal(classifyError(err), expected));
});

describe("formatDuration", () => {
  test("durations", () => {
    assert.equal(formatDuration(42_000), "42s");
    assert.equal(formatDuration(185_000), "3m05s");
    assert.equal(formatDuration(3_720_000), "1h02m");
    assert.equal(formatDuration(null), "?");
  });
});

describe("runTarget", () => {
  test("one active run per target; dry runs and scopes apart", () => {
    assert.equal(runTarget({}, false), "all");
    assert.equal(runTarget({}, true), "dry-run:all");
    assert.equal(runTarget({ namespace: "acme" }, false), "namespace:acme");
    assert.equal(runTarget({ repository: "acme/web" }, false), "repository:acme/web");
  });
});

describe("passVerdict", () => {
  const progress = (failed = 0): BatchProgress => ({
    batches: { pending: 0, running: 0, done: 2, failed: 0, total: 2 },
    tags: { backfilled: 9, backfilled_broken: 1, skipped: 0, failed, done: 10 + failed },
    byReason: {},
    wouldWrite: {},
    timings: { loadMs: 0, planMs: 0, signMs: 0, writeMs: 0, queries: 0 },
    firstError: null,
  });
  const run = { id: "7", status: "completed" as const, error: null, dry_run: false };
  test("every candidate mapped, broken ones included: ok", () =>
    assert.equal(passVerdict(run, progress(), 0, false).ok, true));
  test("failed tags, remaining tags, a failed run or an interruption: not ok, with a reason", () => {
    assert.match(passVerdict(run, progress(2), 2, false).reason ?? "", /2 tag\(s\) failed/);
    assert.match(passVerdict(run, progress(), 3, false).reason ?? "", /3 candidate/);
    assert.match(
      passVerdict({ ...run, status: "failed", error: "boom" }, progress(), 0, false).reason ?? "",
      /boom/,
    );
    assert.match(passVerdict(run, progress(), 0, true).reason ?? "", /backfill run` again resumes/);
  });
});
