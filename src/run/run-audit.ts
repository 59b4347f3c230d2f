import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { redactUrl, type Config } from "../config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Who and what started a run, for backfill.run.started_by and `status --run`. */
export interface StartedBy {
  user: string;
  host: string;
  pid: number;
  argv: string[];
  codeVersion: string;
  via: "cli" | "scheduler";
}

let cachedVersion: string | undefined;

/** package version plus the git commit when the checkout has one (a container image may not). */
export function codeVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let version = "unknown";
  try {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version?: string };
    version = pkg.version ?? version;
  } catch {
    // keep "unknown"
  }
  try {
    const commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
    })
      .toString()
      .trim();
    if (commit) version = `${version}+${commit}`;
  } catch {
    // no git here: the package version alone
  }
  cachedVersion = version;
  return version;
}

export function startedBy(via: StartedBy["via"], argv: readonly string[] = process.argv.slice(2)): StartedBy {
  let user = "unknown";
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? "unknown";
  }
  return { user, host: os.hostname(), pid: process.pid, argv: [...argv], codeVersion: codeVersion(), via };
}

/** The config a run ran with, safe to store and show: URLs without passwords, the key file by path only. */
export function redactedConfig(
  config: Config,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    databaseUrl: redactUrl(config.databaseUrl),
    redisUrl: redactUrl(config.redisUrl),
    signingKeyFile: config.signingKeyFile ?? null,
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    libraryNamespace: config.libraryNamespace,
    manifestMaxBytes: config.manifestMaxBytes,
    queuePrefix: config.queuePrefix,
    ...overrides,
  };
}
