import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { deploymentEnv } from "../../../bench/io/deployment-env.js";
import { loadConfig } from "../../../src/config.js";
import { adaptiveBounds } from "../../../src/run/adaptive-bounds.js";
import {
  defaultSemiSpaceMb,
  heapLimitProblem,
  heapRequirement,
  heapSafeBatchSize,
  youngGenerationMb,
} from "../../../src/run/heap-limit-check.js";
import { REPO_ROOT } from "../../support/repo-root.js";

const MB = 1024 * 1024;

/** heap_size_limit of a node started with these options, as V8 reports it. */
function heapLimitWith(nodeOptions: string): number {
  const out = spawnSync(
    process.execPath,
    ["-e", "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))"],
    { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: "utf8" },
  );
  return Number(out.stdout);
}

describe("heapLimitProblem", () => {
  test("the requirement grows with the tags in flight", () => {
    assert.deepEqual(heapRequirement(1000), { liveMb: 79.25, oldSpaceNeededMb: 100, oldSpaceMb: 128 });
    const big = heapRequirement(4000);
    assert.equal(big.liveMb, 173);
    assert.equal(big.oldSpaceMb, 288);
  });

  test("a heap too small for batch size × concurrency names both and the value to set", () => {
    const message = heapLimitProblem(2000, 4, 176 * MB, 48);
    assert.ok(message);
    assert.match(message, /batch size 2000 × concurrency 4 = 8,000 tags in flight/);
    assert.match(message, /may use 128 MB/);
    assert.match(message, /NODE_OPTIONS=--max-old-space-size=\d+/);
    const suggested = Number(/--max-old-space-size=(\d+)/.exec(message)?.[1]);
    // The suggested old space, plus the young generation, satisfies the check it failed.
    assert.equal(heapLimitProblem(2000, 4, (suggested + 48) * MB, 48), undefined);
  });

  test("the young generation comes from --max-semi-space-size, the command line winning over NODE_OPTIONS", () => {
    assert.equal(youngGenerationMb([]), 3 * defaultSemiSpaceMb());
    assert.equal(defaultSemiSpaceMb("20.20.2"), 16);
    assert.equal(defaultSemiSpaceMb("24.22.3"), 64);
    // Without the flag, V8's own default: what this Node reports agrees with it.
    assert.equal(heapLimitWith("--max-old-space-size=128") / MB, 128 + youngGenerationMb([]));
    assert.equal(youngGenerationMb(["--max-old-space-size=128", "--max-semi-space-size=4"]), 12);
    assert.equal(youngGenerationMb(["--max_semi_space_size", "8"]), 24);
    assert.equal(youngGenerationMb(["--max-semi-space-size=4", "--max-semi-space-size=32"]), 96);
    // V8 reports heap_size_limit as old space + the young generation: the parse agrees with it.
    for (const semi of [4, 8, 32])
      assert.equal(
        heapLimitWith(`--max-old-space-size=128 --max-semi-space-size=${semi}`) / MB,
        128 + youngGenerationMb([`--max-semi-space-size=${semi}`]),
      );
  });

  test("a smaller young generation does not count against the old space the batches need", () => {
    // 128 MB of old space with 4 MB semi-spaces: heap_size_limit 140 MB, enough for 1,000 tags in flight.
    const limit = heapLimitWith("--max-old-space-size=128 --max-semi-space-size=4");
    assert.equal(heapLimitProblem(500, 2, limit, youngGenerationMb(["--max-semi-space-size=4"])), undefined);
  });

  test("without a heap flag (V8 sizes the heap from the machine's memory) the defaults pass", () => {
    assert.equal(heapLimitProblem(500, 2, heapLimitWith("")), undefined);
  });

  test("the Dockerfile's heap fits the default batch size and concurrency", () => {
    const defaults = loadConfig({});
    const limit = heapLimitWith(deploymentEnv().NODE_OPTIONS ?? "");
    assert.ok(limit > 0 && limit < 1024 * MB, `the Dockerfile caps the heap (${limit / MB} MB)`);
    const young = youngGenerationMb((deploymentEnv().NODE_OPTIONS ?? "").split(" "));
    assert.equal(heapLimitProblem(defaults.batchSize, defaults.concurrency, limit, young), undefined);
  });

  test("`backfill run` stops with exit 2 before connecting when the heap is too small", () => {
    const out = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(REPO_ROOT, "src/cli/main.ts"),
        "run",
        "--batch-size",
        "2000",
        "--concurrency",
        "4",
      ],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: {
          ...process.env,
          NODE_OPTIONS: "--max-old-space-size=64",
          // Nothing answers here: had the command connected, it would fail differently (exit 1).
          DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
          REDIS_URL: "redis://127.0.0.1:1",
        },
      },
    );
    assert.equal(out.status, 2, out.stderr);
    assert.match(out.stderr, /8,000 tags in flight need about \d+ MB of old-generation heap/);
    assert.match(out.stderr, /NODE_OPTIONS=--max-old-space-size=\d+/);
  });
});

describe("heapSafeBatchSize", () => {
  test("the largest size the heap check accepts at a concurrency, and no larger", () => {
    for (const [heapMb, concurrency] of [
      [176, 4],
      [304, 2],
      [560, 8],
      [2096, 1],
    ] as const) {
      const size = heapSafeBatchSize(concurrency, heapMb * MB, 48);
      assert.ok(size > 0, `${heapMb} MB × ${concurrency}`);
      assert.equal(heapLimitProblem(size, concurrency, heapMb * MB, 48), undefined);
      assert.notEqual(heapLimitProblem(size + 1, concurrency, heapMb * MB, 48), undefined);
    }
    // More batches at once leave room for smaller ones.
    assert.ok(heapSafeBatchSize(8, 560 * MB, 48) < heapSafeBatchSize(2, 560 * MB, 48));
    // Not even the fixed part fits: nothing.
    assert.equal(heapSafeBatchSize(1, 96 * MB, 48), 0);
  });
});

describe("adaptiveBounds", () => {
  const config = { targetBatchMs: 2000, minBatchSize: 50, maxBatchSize: 5000 };
  test("the maximum is the configured one, lowered to what the heap holds", () => {
    assert.deepEqual(adaptiveBounds(config, 2, 2000, 9000), {
      targetBatchMs: 2000,
      minBatchSize: 50,
      maxBatchSize: 5000,
      configuredMaxBatchSize: 5000,
      heapMaxBatchSize: 9000,
    });
    assert.equal(adaptiveBounds(config, 2, 2000, 1200).maxBatchSize, 1200);
    // The minimum follows a maximum lowered below it.
    const tight = adaptiveBounds(config, 2, 2000, 30);
    assert.deepEqual([tight.minBatchSize, tight.maxBatchSize], [30, 30]);
    // At this process's own heap, the maximum passes its heap check.
    const own = adaptiveBounds(config, 4);
    assert.equal(heapLimitProblem(own.maxBatchSize, 4), undefined);
    assert.equal(adaptiveBounds(config, 2, 0, 9000).targetBatchMs, 0);
  });
});
