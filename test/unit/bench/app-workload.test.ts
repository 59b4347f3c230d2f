import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { LatencyRecorder } from "../../../bench/lib/latency-summary.js";
import { pushBlobDigest, pushManifest } from "../../../bench/lib/push-manifest.js";
import { seededRandom } from "../../../bench/lib/seeded-random.js";
import { parseMix, parseWorkloadOptions, WorkloadUsageError } from "../../../bench/lib/workload-options.js";
import {
  DEFAULT_MIX,
  dueAtMs,
  dueCount,
  pickOperation,
  WORKLOAD_OPERATIONS,
} from "../../../bench/lib/workload-plan.js";

describe("the application workload's plan", () => {
  test("open loop: operations are due at i / rate whatever happened before, the first at once", () => {
    assert.equal(dueAtMs(0, 50), 0);
    assert.equal(dueAtMs(50, 50), 1000);
    assert.equal(dueCount(0, 50), 1);
    assert.equal(dueCount(999, 50), 50);
    assert.equal(dueCount(1000, 50), 51);
    assert.equal(dueCount(-1, 50), 0);
    for (const i of [0, 7, 123]) assert.equal(dueCount(dueAtMs(i, 20), 20), i + 1);
  });

  test("operations are picked in proportion to their weights; weight 0 is never picked", () => {
    const random = seededRandom(7);
    const mix = { ...DEFAULT_MIX, push: 0, tag: 50 };
    const counts = Object.fromEntries(WORKLOAD_OPERATIONS.map((op) => [op, 0]));
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[pickOperation(mix, random())]! += 1;
    assert.equal(counts.push, 0);
    const total = WORKLOAD_OPERATIONS.reduce((s, op) => s + mix[op], 0);
    for (const op of WORKLOAD_OPERATIONS) {
      const share = counts[op]! / n;
      assert.ok(Math.abs(share - mix[op] / total) < 0.02, `${op}: ${share}`);
    }
    assert.equal(pickOperation(mix, 0.9999999999), "blob", "the top of the range is the last weighted one");
  });

  test("the same seed gives the same sequence; another seed another", () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    const c = seededRandom(4);
    const seq = (r: () => number) => Array.from({ length: 5 }, () => r());
    const first = seq(a);
    assert.deepEqual(first, seq(b));
    assert.notDeepEqual(first, seq(c));
    assert.ok(first.every((x) => x >= 0 && x < 1));
  });
});

describe("the workload's latency summary", () => {
  test("per operation and overall: count, errors, percentiles and max; failed operations count their time", () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) recorder.record("tag", i);
    recorder.record("push", 500, "deadlock detected");
    recorder.record("push", 100);
    recorder.skipped = 3;
    const summary = recorder.summary(25, 4000.4);
    assert.deepEqual(summary.byOperation.tag, {
      count: 100,
      errors: 0,
      p50: 50.5,
      p95: 95.05,
      p99: 99.01,
      max: 100,
    });
    assert.equal(summary.byOperation.push?.errors, 1);
    assert.equal(summary.byOperation.push?.max, 500);
    assert.equal(summary.byOperation.blob, undefined);
    assert.equal(summary.all.count, 102);
    assert.equal(summary.all.errors, 1);
    assert.equal(summary.all.max, 500);
    assert.equal(summary.skipped, 3);
    assert.equal(summary.durationMs, 4000);
    assert.deepEqual(summary.errorSamples, ["push: deadlock detected"]);
  });

  test("nothing recorded: zero counts, no NaN in the JSON", () => {
    const summary = new LatencyRecorder().summary(10, 0);
    assert.deepEqual(summary.all, { count: 0, errors: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe("the workload's flags", () => {
  test("defaults, and every flag read", () => {
    const d = parseWorkloadOptions([], {});
    assert.equal(d.databaseUrl, "postgres://root@127.0.0.1:5432/test");
    assert.deepEqual([d.seconds, d.rate, d.connections, d.seed], [30, 50, 8, 1]);
    assert.deepEqual(d.mix, DEFAULT_MIX);
    const o = parseWorkloadOptions(
      [
        "--database-url",
        "postgres://x/y",
        "--seconds",
        "2.5",
        "--rate",
        "400",
        "--mix",
        "tag=1,push=2",
        "--connections",
        "3",
        "--max-in-flight",
        "9",
        "--seed",
        "5",
      ],
      { DATABASE_URL: "postgres://ignored/z" },
    );
    assert.deepEqual(o, {
      databaseUrl: "postgres://x/y",
      seconds: 2.5,
      rate: 400,
      mix: { tag_legacy: 0, tag: 1, manifest_by_digest: 0, blob: 0, push: 2 },
      connections: 3,
      maxInFlight: 9,
      seed: 5,
    });
    assert.equal(
      parseWorkloadOptions([], { DATABASE_URL: "postgres://env/db" }).databaseUrl,
      "postgres://env/db",
    );
  });

  test("a bad value stops with a message naming it", () => {
    const bad: [string[], RegExp][] = [
      [["--rate", "0"], /--rate .*'0'/],
      [["--seconds=-3"], /--seconds .*'-3'/],
      [["--connections", "1.5"], /--connections .*'1.5'/],
      [["--database-url", "mysql://x"], /--database-url .*mysql/],
      [["--mix", "pull=3"], /unknown operation 'pull'/],
      [["--mix", "tag=-1"], /'tag=-1' needs a weight/],
      [["--mix", "tag=0"], /weight 0/],
      [["--bogus"], /bogus/],
    ];
    for (const [argv, message] of bad) {
      assert.throws(
        () => parseWorkloadOptions(argv, {}),
        (err: unknown) => err instanceof WorkloadUsageError && message.test(err.message),
        argv.join(" "),
      );
    }
    assert.deepEqual(parseMix("push=1").push, 1);
  });
});

describe("a pushed manifest", () => {
  test("its digest is the sha256 of its bytes, and it names the config and layers pushed", () => {
    const config = { digest: pushBlobDigest("p", 1, "config"), size: 512 };
    const layer = { digest: pushBlobDigest("p", 1, "layer"), size: 2000 };
    const m = pushManifest(config, [layer]);
    assert.equal(m.digest, `sha256:${createHash("sha256").update(m.bytes).digest("hex")}`);
    const parsed = JSON.parse(m.bytes) as { config: { digest: string }; layers: { digest: string }[] };
    assert.equal(parsed.config.digest, config.digest);
    assert.deepEqual(
      parsed.layers.map((l) => l.digest),
      [layer.digest],
    );
    assert.equal(m.layersSize, 2000);
    assert.notEqual(pushBlobDigest("p", 1, "layer"), pushBlobDigest("p", 2, "layer"));
    assert.notEqual(pushBlobDigest("p", 1, "layer"), pushBlobDigest("q", 1, "layer"));
  });
});
