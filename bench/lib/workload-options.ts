import { parseArgs } from "node:util";
import {
  DEFAULT_MIX,
  WORKLOAD_OPERATIONS,
  type WorkloadMix,
  type WorkloadOperation,
} from "./workload-plan.js";

export interface WorkloadOptions {
  databaseUrl: string;
  seconds: number;
  /** Operations started per second (open loop). */
  rate: number;
  mix: WorkloadMix;
  /** Connections of the workload's pool (Quay's per-process pool is of this order). */
  connections: number;
  /** Operations in flight beyond which a due one is skipped and counted. */
  maxInFlight: number;
  seed: number;
}

export const WORKLOAD_USAGE = `usage: npm run workload -- [options]
  Issues Quay's hot queries (tag lookups on repositorytag and tag, manifest by digest, blob lookups, tag
  pushes writing manifest/manifestblob/tag rows) at a fixed rate against a Quay database, and prints a JSON
  summary of the latencies (count, p50, p95, p99, max, errors, per operation) on stdout.
  --database-url URL   the database (default DATABASE_URL, else postgres://root@127.0.0.1:5432/test)
  --seconds N          how long to issue operations (default 30; SIGINT/SIGTERM stops early)
  --rate N             operations started per second, whatever the earlier ones are doing (default 50)
  --mix op=w,...       weights of ${WORKLOAD_OPERATIONS.join(", ")}
                       (default ${WORKLOAD_OPERATIONS.map((op) => `${op}=${DEFAULT_MIX[op]}`).join(",")})
  --connections N      pool size (default 8)
  --max-in-flight N    skip (and count) a due operation while this many are unfinished (default 200)
  --seed N             seed of the operation sequence (default 1)`;

export class WorkloadUsageError extends Error {
  override readonly name = "WorkloadUsageError";
}

function positive(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    throw new WorkloadUsageError(`${flag} expects a number above 0 and at most ${max}, got '${raw}'`);
  }
  return n;
}

function whole(flag: string, raw: string | undefined, fallback: number, max: number): number {
  const n = positive(flag, raw, fallback, max);
  if (!Number.isInteger(n)) throw new WorkloadUsageError(`${flag} expects a whole number, got '${raw}'`);
  return n;
}

export function parseMix(raw: string): WorkloadMix {
  const mix: WorkloadMix = { tag_legacy: 0, tag: 0, manifest_by_digest: 0, blob: 0, push: 0 };
  for (const part of raw.split(",")) {
    const [name, weight] = part.split("=").map((s) => s.trim());
    if (!WORKLOAD_OPERATIONS.includes(name as WorkloadOperation)) {
      throw new WorkloadUsageError(
        `--mix: unknown operation '${name ?? ""}' (known: ${WORKLOAD_OPERATIONS.join(", ")})`,
      );
    }
    const w = Number(weight);
    if (weight === undefined || weight === "" || !Number.isFinite(w) || w < 0) {
      throw new WorkloadUsageError(`--mix: '${part}' needs a weight >= 0, e.g. ${name ?? "tag"}=10`);
    }
    mix[name as WorkloadOperation] = w;
  }
  if (WORKLOAD_OPERATIONS.every((op) => mix[op] === 0)) {
    throw new WorkloadUsageError(`--mix: '${raw}' gives every operation weight 0`);
  }
  return mix;
}

export function parseWorkloadOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): WorkloadOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        "database-url": { type: "string" },
        seconds: { type: "string" },
        rate: { type: "string" },
        mix: { type: "string" },
        connections: { type: "string" },
        "max-in-flight": { type: "string" },
        seed: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new WorkloadUsageError(err instanceof Error ? err.message : String(err));
  }
  const databaseUrl = values["database-url"] ?? env.DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new WorkloadUsageError(`--database-url expects a postgres:// URL, got '${databaseUrl}'`);
  }
  return {
    databaseUrl,
    seconds: positive("--seconds", values.seconds, 30, 86_400),
    rate: positive("--rate", values.rate, 50, 100_000),
    mix: values.mix === undefined ? { ...DEFAULT_MIX } : parseMix(values.mix),
    connections: whole("--connections", values.connections, 8, 1000),
    maxInFlight: whole("--max-in-flight", values["max-in-flight"], 200, 100_000),
    seed: whole("--seed", values.seed, 1, 2 ** 31),
  };
}
