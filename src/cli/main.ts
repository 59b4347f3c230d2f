import { Command, CommanderError } from "commander";
import { UsageError } from "../errors.js";
import { EXIT } from "./command-runner.js";
import { registerManifestCommand } from "./manifest-command.js";
import { registerMigrateCommand } from "./migrate-command.js";
import { registerReprocessCommand } from "./reprocess-command.js";
import { registerRunCommand } from "./run-command.js";
import { registerRunControlCommands } from "./run-control-command.js";
import { registerScheduleCommand } from "./schedule-command.js";
import { registerStatusCommand } from "./status-command.js";
import { registerThrottleCommand } from "./throttle-command.js";
import { registerTuneCommand } from "./tune-command.js";
import { registerWorkerCommand } from "./worker-command.js";
import { registerSeedCommand } from "./seed-command.js";
import { registerVerifyCommand } from "./verify-command.js";
import { registerExplainCommand } from "./explain-command.js";
import { registerDashboardCommand } from "./dashboard-command.js";
import { registerHealthCommand } from "./health-command.js";
import { setLogFile } from "../log.js";
import { codeVersion } from "../run/run-audit.js";
import { oneLineUsageError } from "./usage-error-line.js";

const program = new Command("backfill")
  .description(
    "Move Quay v1-era tags and images (repositorytag, image, imagestorage) into the manifest model",
  )
  // One line naming the mistake (with commander's closest valid name), never the whole help.
  .configureOutput({ outputError: (text, write) => write(oneLineUsageError(text)) })
  .option("-V, --version", "print the version (package version + git commit) and exit")
  .option("--log-file <path>", "append log lines to this file instead of stderr (stdout keeps the result)")
  .exitOverride()
  .hook("preAction", (root) => setLogFile(root.opts<{ logFile?: string }>().logFile));

// Lazy: the git commit is only looked up when asked for.
program.on("option:version", () => {
  process.stdout.write(`${codeVersion()}\n`);
  process.exit(EXIT.ok);
});

registerMigrateCommand(program);
registerVerifyCommand(program);
registerManifestCommand(program);
registerSeedCommand(program);
registerRunCommand(program);
registerWorkerCommand(program);
registerScheduleCommand(program);
registerStatusCommand(program);
registerRunControlCommands(program);
registerThrottleCommand(program);
registerTuneCommand(program);
registerReprocessCommand(program);
registerExplainCommand(program);
registerDashboardCommand(program);
registerHealthCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (err instanceof UsageError) {
    process.stderr.write(`backfill: ${err.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    throw err;
  }
}
