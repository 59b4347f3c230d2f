import type { Command } from "commander";
import { intOption } from "./command-runner.js";

/**
 * `--batch-size`, `--concurrency` and `--lease-seconds`, declared once for every command that processes
 * batches (`run`, `reprocess`, `worker`; a worker's batch size is the run's, so it has no flag).
 */
export function addBatchOptions(
  command: Command,
  include: { batchSize: boolean; concurrency?: string },
): Command {
  if (include.batchSize) {
    command.option(
      "--batch-size <n>",
      "tags per batch (default BACKFILL_BATCH_SIZE)",
      intOption("--batch-size", 1, 10000),
    );
  }
  return command
    .option(
      "--concurrency <n>",
      include.concurrency ?? "batches at once in this process (default BACKFILL_CONCURRENCY)",
      intOption("--concurrency", 1, 64),
    )
    .option(
      "--lease-seconds <n>",
      "how long a dead worker's batch stays claimed",
      intOption("--lease-seconds", 2, 3600),
      30,
    );
}
