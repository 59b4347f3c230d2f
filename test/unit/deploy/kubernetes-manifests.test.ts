import assert from "node:assert/strict";
import { defaultSemiSpaceMb } from "../../../src/run/heap-limit-check.js";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { describeConfig } from "../../../src/config.js";
import { DEPLOY_FACTS, kubernetesMiB, requiredGraceSeconds } from "../../support/deploy-facts.js";
import { REPO_ROOT } from "../../support/repo-root.js";
import { loadYamlDocuments } from "../../support/yaml-file.js";

const DIR = path.join(REPO_ROOT, "deploy", "kubernetes");
const SECRET_EXAMPLE = "secret.example.yaml";

/** The API objects the manifests may hold, each with its schema-validating model. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "batch/v1 Job": Job,
  "batch/v1 CronJob": CronJob,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "v1 ConfigMap": ConfigMap,
  "v1 Secret": Secret,
};

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  resources?: string[];
  images?: { name: string }[];
}

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const manifests: Manifest[] = files.flatMap((file) =>
  loadYamlDocuments(path.join(DIR, file)).map((doc) => ({ ...(doc as Omit<Manifest, "file">), file })),
);
const objects = manifests.filter((m) => m.kind !== "Kustomization");
const one = (kind: string, name: string) => {
  const found = objects.find((m) => m.kind === kind && m.metadata.name === name);
  assert.ok(found, `a ${kind} named ${name} in deploy/kubernetes`);
  return found;
};
const worker = one("Deployment", "backfill-worker");
const workerSpec = worker.spec as {
  strategy: { type: string };
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: IPodSpec };
};
const workerPod = workerSpec.template.spec;
const workerContainer = workerPod.containers[0] as IContainer;
const podSpecs = (): { where: string; pod: IPodSpec }[] =>
  objects.flatMap((m) => {
    const spec = m.spec as
      { template?: { spec: IPodSpec }; jobTemplate?: { spec: { template: { spec: IPodSpec } } } } | undefined;
    const pod = spec?.template?.spec ?? spec?.jobTemplate?.spec.template.spec;
    return pod ? [{ where: `${m.kind} ${m.metadata.name}`, pod }] : [];
  });
const flagValue = (args: readonly string[], flag: string) => {
  const at = args.indexOf(flag);
  return at >= 0 ? Number(args[at + 1]) : undefined;
};

/** The image's Node major version, from the Dockerfile's last `FROM node:<major>-…`. */
const IMAGE_NODE =
  [...readFileSync(path.join(REPO_ROOT, "Dockerfile"), "utf8").matchAll(/^FROM node:(\d+)/gm)].at(-1)?.[1] ??
  "";

/** Old-space cap, semi-space (V8's default for that Node when not given) and malloc arenas of an env line. */
function effectiveMemorySettings(env: string, nodeVersion: string): Record<string, number> {
  const flag = (name: string) => /=(\d+)/.exec(new RegExp(`${name}=\\d+`).exec(env)?.[0] ?? "")?.[1];
  return {
    oldSpaceMb: Number(flag("--max-old-space-size") ?? NaN),
    semiSpaceMb: Number(flag("--max-semi-space-size") ?? defaultSemiSpaceMb(nodeVersion)),
    mallocArenas: Number(flag("MALLOC_ARENA_MAX") ?? NaN),
  };
}

describe("deploy/kubernetes against the Kubernetes API schemas (kubernetes-models)", () => {
  test("every object is of a known kind and validates", () => {
    assert.ok(objects.length >= 6, `objects: ${objects.map((o) => o.kind).join(", ")}`);
    for (const m of objects) {
      const Model = MODELS[`${m.apiVersion} ${m.kind}`];
      assert.ok(Model, `${m.file}: ${m.apiVersion} ${m.kind} has no model here`);
      const { file: _file, ...object } = m;
      assert.doesNotThrow(
        () => new Model(object as never).validate(),
        `${m.file}: ${m.kind} ${m.metadata.name}`,
      );
    }
  });

  test("the validation catches a wrong field (so the test above can fail)", () => {
    const { file: _file, ...object } = worker;
    const broken = structuredClone(object) as { spec: { replicas: unknown } };
    broken.spec.replicas = "two";
    assert.throws(() => new Deployment(broken as never).validate(), /replicas must be integer/);
  });

  test("kustomization.yaml lists every manifest but the Secret example, and names the containers' image", () => {
    const kustomization = manifests.find((m) => m.kind === "Kustomization");
    assert.ok(kustomization?.resources, "a kustomization.yaml with resources");
    const listed = [...kustomization.resources].sort();
    const expected = files.filter((f) => f !== "kustomization.yaml" && f !== SECRET_EXAMPLE).sort();
    assert.deepEqual(listed, expected);
    const images = new Set(podSpecs().flatMap(({ pod }) => pod.containers.map((c) => c.image)));
    assert.deepEqual([...images], [kustomization.images?.[0]?.name]);
  });
});

describe("deploy/kubernetes: rules across fields", () => {
  const shutdownSeconds =
    flagValue(workerContainer.args ?? [], "--shutdown-seconds") ?? DEPLOY_FACTS.shutdownSeconds;

  test("the worker rolls, and its grace period outlasts its stop deadline with a margin", () => {
    assert.deepEqual(workerContainer.args?.slice(0, 1), ["worker"]);
    assert.equal(workerSpec.strategy.type, "RollingUpdate");
    const grace = workerPod.terminationGracePeriodSeconds ?? 30;
    assert.ok(
      grace >= requiredGraceSeconds(shutdownSeconds),
      `terminationGracePeriodSeconds ${grace} < ${shutdownSeconds} s shutdown + ${DEPLOY_FACTS.stopGraceSeconds} s + ${DEPLOY_FACTS.marginSeconds} s margin`,
    );
  });

  test("readiness, liveness and startup run `backfill health` through the image's entry point", () => {
    const heartbeatSeconds = flagValue(workerContainer.args ?? [], "--heartbeat-seconds") ?? 10;
    const probes = {
      startup: workerContainer.startupProbe,
      readiness: workerContainer.readinessProbe,
      liveness: workerContainer.livenessProbe,
    };
    for (const [name, probe] of Object.entries(probes)) {
      const command = probe?.exec?.command ?? [];
      assert.deepEqual(
        command.slice(0, DEPLOY_FACTS.entrypoint.length + 1),
        [...DEPLOY_FACTS.entrypoint, "health"],
        name,
      );
      const maxAge = flagValue(command, "--max-age") ?? 3 * heartbeatSeconds;
      assert.ok(
        maxAge >= 2 * heartbeatSeconds,
        `${name}: --max-age ${maxAge} leaves no room for one late heartbeat`,
      );
      // A probe slower than its timeout counts as failed; `health` takes ~0.5 s of CPU.
      assert.ok((probe?.timeoutSeconds ?? 1) >= 5, `${name}: timeoutSeconds`);
    }
    const liveness = flagValue(workerContainer.livenessProbe?.exec?.command ?? [], "--max-age") ?? 0;
    assert.ok(
      liveness > shutdownSeconds + DEPLOY_FACTS.stopGraceSeconds,
      `liveness --max-age ${liveness} must outlast a graceful stop, which writes no heartbeat`,
    );
  });

  test("the worker's memory request and limit cover the measured peak RSS and two probe processes", () => {
    const limits = workerContainer.resources?.limits ?? {};
    const requests = workerContainer.resources?.requests ?? {};
    assert.ok(limits.memory !== undefined && requests.memory !== undefined, "memory request and limit set");
    const needed = DEPLOY_FACTS.peakRssMiB + DEPLOY_FACTS.probeRssMiB;
    assert.ok(
      kubernetesMiB(limits.memory) >= needed,
      `limit ${String(limits.memory)} < ${needed.toFixed(0)} MiB`,
    );
    assert.ok(
      kubernetesMiB(requests.memory) >= DEPLOY_FACTS.peakRssMiB,
      `request ${String(requests.memory)}`,
    );
    // The peak was measured at these settings and the image's heap cap: other ones need another measure.
    const settings = one("ConfigMap", "backfill").data ?? {};
    assert.equal(Number(settings.BACKFILL_BATCH_SIZE), DEPLOY_FACTS.bench.batchSize);
    assert.equal(Number(settings.BACKFILL_CONCURRENCY), DEPLOY_FACTS.bench.concurrency);
    // Compared as the heap V8 gets: the sizing run's Node 20 had a 16 MB semi-space without asking.
    const imageEnv = `NODE_OPTIONS=${DEPLOY_FACTS.imageEnv.get("NODE_OPTIONS") ?? ""} MALLOC_ARENA_MAX=${DEPLOY_FACTS.imageEnv.get("MALLOC_ARENA_MAX") ?? ""}`;
    assert.deepEqual(
      effectiveMemorySettings(imageEnv, IMAGE_NODE),
      effectiveMemorySettings(DEPLOY_FACTS.bench.deploymentEnv, DEPLOY_FACTS.benchNode),
    );
  });

  test("secrets are referenced, never applied; every key referenced is in the documented example", () => {
    const example = one("Secret", "backfill");
    assert.equal(example.file, SECRET_EXAMPLE);
    const keys = new Set(Object.keys({ ...example.data, ...example.stringData }));
    const refs = podSpecs().flatMap(({ where, pod }) => [
      ...pod.containers.flatMap((c) =>
        (c.env ?? []).flatMap((e) =>
          e.valueFrom?.secretKeyRef ? [{ where, ...e.valueFrom.secretKeyRef }] : [],
        ),
      ),
      ...(pod.volumes ?? []).flatMap((v) =>
        (v.secret?.items ?? []).map((i) => ({ where, name: v.secret?.secretName, key: i.key })),
      ),
    ]);
    assert.ok(refs.length >= 4, JSON.stringify(refs));
    for (const ref of refs) {
      assert.equal(ref.name, example.metadata.name, ref.where);
      assert.ok(keys.has(ref.key), `${ref.where}: key ${ref.key} is not in ${SECRET_EXAMPLE}`);
    }
    const env = new Map((workerContainer.env ?? []).map((e) => [e.name, e]));
    for (const name of ["DATABASE_URL", "REDIS_URL"]) {
      assert.ok(env.get(name)?.valueFrom?.secretKeyRef, `the worker's ${name} comes from the Secret`);
    }
    // The key file is where the Secret volume puts it.
    const keyFile = env.get("BACKFILL_SIGNING_KEY_FILE")?.value ?? "";
    const mounted = (workerContainer.volumeMounts ?? []).flatMap((m) => {
      const volume = workerPod.volumes?.find((v) => v.name === m.name);
      return (volume?.secret?.items ?? []).map((i) => path.posix.join(m.mountPath, i.path));
    });
    assert.ok(mounted.includes(keyFile), `${keyFile} among ${mounted.join(", ")}`);
  });

  test("settings name real variables; the heartbeat file is writable; migrate and the schedule run once each", () => {
    const known = new Set(describeConfig().map((v) => v.variable));
    const settings = Object.keys(one("ConfigMap", "backfill").data ?? {});
    assert.deepEqual(
      settings.filter((k) => !known.has(k)),
      [],
    );
    const heartbeat = (workerContainer.env ?? []).find((e) => e.name === "BACKFILL_HEARTBEAT_FILE")?.value;
    const file = heartbeat ?? DEPLOY_FACTS.imageEnv.get("BACKFILL_HEARTBEAT_FILE") ?? "";
    const writable = (workerContainer.volumeMounts ?? []).filter((m) => !m.readOnly).map((m) => m.mountPath);
    assert.ok(
      !workerContainer.securityContext?.readOnlyRootFilesystem ||
        writable.some((dir) => file.startsWith(`${dir}/`)),
      `${file} is on a writable volume (${writable.join(", ")})`,
    );
    const commands = podSpecs().map(({ pod }) => pod.containers[0]?.args?.[0]);
    assert.deepEqual(commands.sort(), ["migrate", "schedule", "worker"]);
  });

  test("the PodDisruptionBudget selects the worker pods", () => {
    const pdb = one("PodDisruptionBudget", "backfill-worker").spec as {
      selector: { matchLabels: Record<string, string> };
    };
    assert.deepEqual(pdb.selector.matchLabels, workerSpec.selector.matchLabels);
    for (const [k, v] of Object.entries(pdb.selector.matchLabels)) {
      assert.equal(workerSpec.template.metadata.labels[k], v, k);
    }
  });
});
