import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { describeConfig } from "../../../src/config.js";
import { composeMiB, DEPLOY_FACTS, requiredGraceSeconds } from "../../support/deploy-facts.js";
import { REPO_ROOT } from "../../support/repo-root.js";
import { loadYamlDocuments } from "../../support/yaml-file.js";

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: {
    test?: string[];
    interval?: string;
    timeout?: string;
    start_period?: string;
    disable?: boolean;
  };
  stop_grace_period?: string;
  mem_limit?: string;
  deploy?: { resources?: { limits?: { memory?: string } } };
  secrets?: string[];
  depends_on?: Record<string, unknown> | string[];
  volumes?: string[];
  profiles?: string[];
}

interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

const COMPOSE_TEXT = readFileSync(path.join(REPO_ROOT, "docker-compose.yml"), "utf8");
const compose = loadYamlDocuments(path.join(REPO_ROOT, "docker-compose.yml"))[0] as ComposeFile;
const ENV_EXAMPLE = readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8");
const service = (name: string): Service => {
  const found = compose.services[name];
  assert.ok(found, `service ${name}`);
  return found;
};

/** `${NAME:-default}` → its default; a plain value stays as it is. */
function withDefault(value: string | undefined): { variable?: string; value: string } {
  const match = /^\$\{(\w+):-(.*)\}$/.exec(value ?? "");
  return match ? { variable: match[1], value: match[2] ?? "" } : { value: value ?? "" };
}

/** Compose durations: `90s`, `1m30s`, `500ms`. */
function seconds(duration: string | undefined): number {
  const parts = [...(duration ?? "").matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  assert.ok(
    parts.length > 0 && parts.map((p) => p[0]).join("") === duration,
    `a duration: ${String(duration)}`,
  );
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * (unit[p[2] ?? ""] ?? NaN), 0);
}

/** Keys the compose specification allows on a service (the subset worth a typo check). */
const SERVICE_KEYS = new Set(
  (
    "build image command entrypoint environment env_file healthcheck depends_on restart secrets volumes ports " +
    "profiles stop_grace_period stop_signal mem_limit mem_reservation deploy user working_dir labels networks " +
    "logging cpus init read_only tmpfs ulimits extra_hosts container_name hostname"
  ).split(" "),
);

describe("docker-compose.yml", () => {
  test("stays within the compose specification's structure (the compose client checks it fully in .ci/run)", () => {
    const topLevel = Object.keys(compose).filter((k) => !k.startsWith("x-"));
    assert.deepEqual(
      topLevel.filter((k) => !["name", "services", "networks", "volumes", "configs", "secrets"].includes(k)),
      [],
    );
    for (const [name, s] of Object.entries(compose.services)) {
      assert.deepEqual(
        Object.keys(s).filter((k) => !SERVICE_KEYS.has(k)),
        [],
        name,
      );
      assert.ok(s.image !== undefined || s.build !== undefined, `${name}: image or build`);
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) assert.ok(compose.services[dep], `${name} depends on ${dep}, a service`);
      for (const secret of s.secrets ?? []) assert.ok(compose.secrets?.[secret], `${name}: secret ${secret}`);
      for (const volume of s.volumes ?? []) {
        const source = volume.split(":")[0] ?? "";
        if (!/^[./]/.test(source)) assert.ok(source in (compose.volumes ?? {}), `${name}: volume ${source}`);
      }
      if (s.healthcheck && !s.healthcheck.disable) {
        for (const d of [s.healthcheck.interval, s.healthcheck.timeout]) if (d) seconds(d);
      }
    }
  });

  test("the database and Redis URLs and the signing key path come from variables defaulting to the bundled ones", () => {
    const env = service("worker").environment ?? {};
    const database = withDefault(env.DATABASE_URL);
    const redis = withDefault(env.REDIS_URL);
    assert.equal(database.variable, "DATABASE_URL");
    assert.equal(redis.variable, "REDIS_URL");
    const bundledDb = service("postgres").environment ?? {};
    assert.equal(
      database.value,
      `postgres://${bundledDb.POSTGRES_USER}:${bundledDb.POSTGRES_PASSWORD}@postgres:5432/${bundledDb.POSTGRES_DB}`,
    );
    assert.match(redis.value, /^redis:\/\/redis:6379$/);
    const key = withDefault(compose.secrets?.signing_key?.file);
    assert.deepEqual(key, { variable: "BACKFILL_SIGNING_KEY_PATH", value: "./secrets/signing-key.pem" });
    assert.equal(env.BACKFILL_SIGNING_KEY_FILE, "/run/secrets/signing_key");
    assert.deepEqual(service("worker").secrets, ["signing_key"]);
  });

  test(".env.example documents every variable the file reads, and nothing else", () => {
    const used = new Set([...COMPOSE_TEXT.matchAll(/\$\{(\w+)/g)].map((m) => m[1]));
    const documented = new Set([...ENV_EXAMPLE.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    assert.deepEqual([...used].filter((v) => !documented.has(v)).sort(), []);
    assert.deepEqual([...documented].filter((v) => !used.has(v)).sort(), []);
    assert.match(ENV_EXAMPLE, /`\.env`/, "says that compose reads .env");
    // The backfill's own variables keep their meaning (src/config.ts); the others are compose's.
    const known = new Set(describeConfig().map((v) => v.variable));
    for (const [name, value] of Object.entries(service("worker").environment ?? {})) {
      assert.ok(known.has(name), `${name} is a variable of src/config.ts`);
      const fallback = withDefault(value);
      if (fallback.variable)
        assert.equal(fallback.variable, name, `${name} reads a variable of its own name`);
    }
  });

  test("the worker stops within its grace period with a margin, within a memory limit that fits the measured peak", () => {
    const worker = service("worker");
    assert.deepEqual(worker.command?.slice(0, 1), ["worker"]);
    const args = worker.command ?? [];
    const at = args.indexOf("--shutdown-seconds");
    const shutdown = at >= 0 ? Number(args[at + 1]) : DEPLOY_FACTS.shutdownSeconds;
    const grace = seconds(worker.stop_grace_period ?? "10s");
    assert.ok(
      grace >= requiredGraceSeconds(shutdown),
      `stop_grace_period ${grace} s for a ${shutdown} s shutdown`,
    );
    const limit = withDefault(worker.mem_limit ?? worker.deploy?.resources?.limits?.memory).value;
    const needed = DEPLOY_FACTS.peakRssMiB + DEPLOY_FACTS.probeRssMiB;
    assert.ok(composeMiB(limit) >= needed, `memory limit ${limit} < ${needed.toFixed(0)} MiB`);
    const env = worker.environment ?? {};
    assert.equal(Number(withDefault(env.BACKFILL_BATCH_SIZE).value), DEPLOY_FACTS.bench.batchSize);
    assert.equal(Number(withDefault(env.BACKFILL_CONCURRENCY).value), DEPLOY_FACTS.bench.concurrency);
    for (const name of ["migrate", "scheduler"])
      assert.ok(service(name).mem_limit, `${name} has a memory limit`);
  });

  test("the worker's healthcheck runs `backfill health`; one-shot services turn the image's off", () => {
    const check = service("worker").healthcheck;
    assert.deepEqual(check?.test, ["CMD", ...DEPLOY_FACTS.entrypoint, "health"]);
    assert.ok(seconds(check?.start_period) >= 30, "time to connect and write the first heartbeat");
    assert.ok(seconds(check?.timeout) >= 5, "`health` takes ~0.5 s of CPU");
    for (const name of ["migrate", "scheduler"]) assert.equal(service(name).healthcheck?.disable, true, name);
  });
});
