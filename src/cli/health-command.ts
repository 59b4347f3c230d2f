import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { judgeHeartbeat, readHeartbeatFile } from "../run/heartbeat-file.js";
import { action, EXIT, intOption } from "./command-runner.js";

interface HealthOptions {
  maxAge?: number;
  file?: string;
}

export function registerHealthCommand(program: Command): void {
  program
    .command("health")
    .description(
      "For container health checks and probes: exit 0 when the worker's heartbeat file is fresh (it is " +
        "rewritten only while the worker's queue consumers run and PostgreSQL and Redis answer), 1 when it " +
        "is stale, missing or unreadable. Reads the file only; connects to nothing.",
    )
    .option(
      "--max-age <seconds>",
      "the oldest heartbeat that counts as fresh (default: three of the worker's heartbeat intervals)",
      intOption("--max-age", 1, 86_400),
    )
    .option("--file <path>", "the heartbeat file (default: BACKFILL_HEARTBEAT_FILE)")
    .action(action((opts: HealthOptions) => healthCommand(opts)));
}

async function healthCommand(opts: HealthOptions): Promise<number> {
  const path = opts.file ?? loadConfig().heartbeatFile;
  if (path === undefined) {
    throw new UsageError(
      "no heartbeat file to check: set BACKFILL_HEARTBEAT_FILE (for the worker and this command) or pass --file",
    );
  }
  const verdict = judgeHeartbeat(path, await readHeartbeatFile(path), new Date(), opts.maxAge);
  (verdict.healthy ? process.stdout : process.stderr).write(`${verdict.line}\n`);
  return verdict.healthy ? EXIT.ok : EXIT.failed;
}
