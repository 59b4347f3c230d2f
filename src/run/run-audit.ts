import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config.js";
import { adaptiveBounds } from "./adaptive-bounds.js";

/** The directory holding package.json: two levels up from src/run, three from the compiled dist/src/run. */
const ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

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

/** The operating system user running this process. */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

/** `user@host`: the actor recorded in backfill.run_event for a change an operator made. */
export function operatorActor(): string {
  return `${currentUser()}@${os.hostname()}`;
}

export function startedBy(via: StartedBy["via"], argv: readonly string[] = process.argv.slice(2)): StartedBy {
  return {
    user: currentUser(),
    host: os.hostname(),
    pid: process.pid,
    argv: redactArgv(argv),
    codeVersion: codeVersion(),
    via,
  };
}

const SECRET_NAME = /pass|secret|token|key(?![-_]?file)|credential/i;

/** A URL without its password or secret-looking query parameters (sslpassword, sslkey is a path: kept). */
export function redactSecretUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_NAME.test(name) && name !== "sslkey") parsed.searchParams.set(name, "***");
    }
    return parsed.toString();
  } catch {
    return "<unparseable url>";
  }
}

/**
 * The command line as stored in the audit row: no flag of this CLI takes a secret, but an operator may
 * still paste a URL with a password or a `--token=…` into it, so both are blanked.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      out.push("***");
      hideNext = false;
      continue;
    }
    const flag = /^(--?[^=]+)(=.*)?$/.exec(arg);
    if (flag?.[1] && SECRET_NAME.test(flag[1])) {
      if (flag[2] !== undefined) out.push(`${flag[1]}=***`);
      else {
        out.push(arg);
        hideNext = true;
      }
      continue;
    }
    out.push(arg.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@"));
  }
  return out;
}

/** The config a run ran with, safe to store and show: URLs without passwords, the key file by path only. */
export function redactedConfig(
  config: Config,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const concurrency = typeof overrides.concurrency === "number" ? overrides.concurrency : config.concurrency;
  const targetBatchMs =
    typeof overrides.targetBatchMs === "number" ? overrides.targetBatchMs : config.targetBatchMs;
  return {
    databaseUrl: redactSecretUrl(config.databaseUrl),
    redisUrl: redactSecretUrl(config.redisUrl),
    signingKeyFile: config.signingKeyFile ?? null,
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    libraryNamespace: config.libraryNamespace,
    manifestMaxBytes: config.manifestMaxBytes,
    queuePrefix: config.queuePrefix,
    // The adaptive batch size reads its settings from here, so every process following the run agrees;
    // the maximum is the one the heap of the starting process holds at its concurrency.
    ...adaptiveBounds(config, concurrency, targetBatchMs),
    ...overrides,
  };
}
