import type { Command } from "commander";
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

/** Every command of the CLI, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
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
}
