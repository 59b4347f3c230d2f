import type { Command } from "commander";
import { EXIT } from "./command-runner.js";

/** Commands that are designed (DESIGN.md) but not built yet: they exist so `--help` is honest about it. */
const PLANNED: Record<string, string> = {
  migrate: "create the Quay tables (when absent) and the backfill ledger",
  seed: "write a synthetic legacy registry",
  run: "one full backfill pass with in-process workers",
  worker: "long-running queue consumer",
  schedule: "periodic backfill runs",
  status: "runs, batches and outcomes",
  reprocess: "run selected tags through the backfill again",
  verify: "check mapped tags against their legacy rows",
  explain: "show what the backfill does with one tag",
  manifest: "offline schema1 tools: build, inspect",
  pause: "pause a run",
  resume: "resume a paused run",
  cancel: "cancel a run",
};

export function registerPlannedCommands(program: Command): void {
  const taken = new Set(program.commands.map((c) => c.name()));
  for (const [name, summary] of Object.entries(PLANNED)) {
    if (taken.has(name)) continue;
    program
      .command(name)
      .description(`${summary} (not implemented yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        process.stderr.write(`backfill: '${name}' is not implemented yet in this version\n`);
        process.exitCode = EXIT.failed;
      });
  }
}
