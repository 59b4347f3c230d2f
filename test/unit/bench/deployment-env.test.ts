import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { childEnv } from "../../../bench/io/backfill-child.js";
import { deploymentEnv, describeDeploymentEnv } from "../../../bench/io/deployment-env.js";

test("the bench runs with the heap limits the Dockerfile deploys", () => {
  assert.match(deploymentEnv().NODE_OPTIONS ?? "", /--max-old-space-size=\d+/);
});

test("only the final stage's ENV lines count, quoted or not", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dockerfile-"));
  try {
    const file = path.join(dir, "Dockerfile");
    writeFileSync(
      file,
      [
        "FROM node:20 AS build",
        'ENV NODE_OPTIONS="--max-old-space-size=4096"',
        "FROM node:20-slim",
        'ENV NODE_OPTIONS="--max-old-space-size=64 --max-semi-space-size=4"',
        "ENV MALLOC_ARENA_MAX=2",
        "",
      ].join("\n"),
    );
    const env = deploymentEnv(file);
    assert.deepEqual(env, {
      NODE_OPTIONS: "--max-old-space-size=64 --max-semi-space-size=4",
      MALLOC_ARENA_MAX: "2",
    });
    assert.equal(
      describeDeploymentEnv(env),
      'NODE_OPTIONS="--max-old-space-size=64 --max-semi-space-size=4" MALLOC_ARENA_MAX=2',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a Dockerfile without NODE_OPTIONS is an error that names the file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dockerfile-"));
  try {
    const file = path.join(dir, "Dockerfile");
    writeFileSync(file, 'FROM node:20\nENV NODE_ENV="production"\n');
    assert.throws(() => deploymentEnv(file), new RegExp(`${file}.*NODE_OPTIONS`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a run child gets the deployment's environment, not the caller's heap or batch settings", () => {
  const env = childEnv(
    "postgres://x/db",
    { ...deploymentEnv(), LOG_LEVEL: "info" },
    { PATH: "/bin", NODE_OPTIONS: "--max-old-space-size=4096", BACKFILL_BATCH_SIZE: "7" },
  );
  assert.equal(env.NODE_OPTIONS, deploymentEnv().NODE_OPTIONS);
  assert.equal(env.DATABASE_URL, "postgres://x/db");
  assert.equal(env.PATH, "/bin");
  assert.equal(env.BACKFILL_BATCH_SIZE, undefined);
  const seedEnv = childEnv("postgres://x/db", {}, { NODE_OPTIONS: "--max-old-space-size=4096" });
  assert.equal(seedEnv.NODE_OPTIONS, undefined, "the seed child runs without the deployment's heap cap");
});
