import { readFileSync } from "node:fs";
import path from "node:path";
import { WORKER_SHUTDOWN_SECONDS } from "../../src/cli/worker-command.js";
import { STOP_GRACE_MS } from "../../src/cli/stop-signals.js";
import { parseDockerfile } from "./dockerfile-rules.js";
import { REPO_ROOT } from "./repo-root.js";

const MIB = 1024 * 1024;

/**
 * What the deployment files must allow for, read from where it is decided: the worker's stop budget
 * (src/cli), the benchmark's measured peak RSS and settings (bench/results/sizing-run.json, the full run), the image's
 * entry point and environment (Dockerfile).
 */
export const DEPLOY_FACTS = (() => {
  const bench = JSON.parse(
    readFileSync(path.join(REPO_ROOT, "bench", "results", "sizing-run.json"), "utf8"),
  ) as {
    settings: { batchSize: number; concurrency: number; deploymentEnv: string };
    machine: { node: string };
    passes: { metrics: { peakRssBytes: number } }[];
  };
  const dockerfile = parseDockerfile(readFileSync(path.join(REPO_ROOT, "Dockerfile"), "utf8"));
  const image = dockerfile.dockerfile;
  const entrypoint =
    image
      .getENTRYPOINTs()
      .at(-1)
      ?.getJSONStrings()
      .map((s) => s.getJSONValue()) ?? [];
  const env = new Map(
    image
      .getENVs()
      .flatMap((e) => e.getProperties())
      .map((p) => [p.getName(), p.getValue() ?? ""]),
  );
  return {
    /** The worker's default --shutdown-seconds. */
    shutdownSeconds: WORKER_SHUTDOWN_SECONDS,
    /** The watchdog's time past the shutdown deadline before the process exits anyway. */
    stopGraceSeconds: STOP_GRACE_MS / 1000,
    /** What a grace period must leave beyond that: the kubelet's or Docker's SIGKILL must never come first. */
    marginSeconds: 10,
    /** The highest peak RSS of every pass of the full benchmark run, in MiB. */
    peakRssMiB: Math.max(...bench.passes.map((p) => p.metrics.peakRssBytes)) / MIB,
    /**
     * A `backfill health` process (the compiled CLI with the image's settings) peaks at ~55 MiB;
     * a container's memory limit allows for two at once (liveness and readiness, or HEALTHCHECK runs).
     */
    probeRssMiB: 2 * 60,
    bench: bench.settings,
    /** The Node version the sizing run ran on. */
    benchNode: bench.machine.node,
    /** The image's ENTRYPOINT: a probe runs `<entrypoint> health`. */
    entrypoint,
    imageEnv: env,
  };
})();

/** The worst-case time from SIGTERM to the worker's exit, with the margin a grace period must add. */
export function requiredGraceSeconds(shutdownSeconds: number): number {
  return shutdownSeconds + DEPLOY_FACTS.stopGraceSeconds + DEPLOY_FACTS.marginSeconds;
}

/** A Kubernetes memory quantity (`448Mi`, `1Gi`, `500M`, bytes) in MiB; K/M/G are powers of 1000. */
export function kubernetesMiB(quantity: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(quantity).trim());
  if (!match) throw new Error(`not a Kubernetes memory quantity: ${String(quantity)}`);
  const factors: Record<string, number> = {
    "": 1,
    Ki: 1024,
    Mi: MIB,
    Gi: 1024 * MIB,
    K: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return (Number(match[1]) * (factors[match[2] ?? ""] ?? NaN)) / MIB;
}

/** A compose byte value (`448m`, `1g`, `512mb`, bytes) in MiB; the compose spec's units are powers of 1024. */
export function composeMiB(value: string | number): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb)?$/i.exec(String(value).trim());
  if (!match) throw new Error(`not a compose byte value: ${String(value)}`);
  const power = { "": 0, b: 0, k: 1, kb: 1, m: 2, mb: 2, g: 3, gb: 3 }[(match[2] ?? "").toLowerCase()];
  return (Number(match[1]) * 1024 ** (power ?? NaN)) / MIB;
}
