import type { Command } from "commander";
import { UsageError } from "../errors.js";

/**
 * `--target-batch-seconds`: how long a batch of the run should take, in milliseconds; `0` or `off`: no
 * adaptation (the batch size stays as started or tuned).
 */
export function parseTargetBatchSeconds(raw: string): number {
  const text = raw.trim().toLowerCase();
  if (text === "off") return 0;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value <= 3600)) {
    throw new UsageError(
      `--target-batch-seconds expects seconds from 0 to 3600 (0 or off: no adaptation), got '${raw}'`,
    );
  }
  return Math.round(value * 1000);
}

/**
 * `--concurrency` of `backfill tune`: the run's cap of batches in flight, 1 to 64; `off`: no cap, as 0
 * (commander stores a parser's null as the empty string).
 */
export function parseConcurrencyCap(raw: string): number {
  const text = raw.trim().toLowerCase();
  if (text === "off") return 0;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 64) {
    throw new UsageError(`--concurrency expects an integer from 1 to 64, or off, got '${raw}'`);
  }
  return value;
}

/** Seconds, a positive number (fractions allowed). */
export function parseMaxLag(raw: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value > 0) || value > 86_400) {
    throw new UsageError(`--max-lag expects seconds, more than 0 and at most 86400, got '${raw}'`);
  }
  return value;
}

/** `default` as read by parseNiceRatio: the process's BACKFILL_NICE_RATIO (a parser's null would become ""). */
export const NICE_RATIO_DEFAULT = -1;

/** `--nice-ratio`: 0 to 100, or `default` (NICE_RATIO_DEFAULT). */
export function parseNiceRatio(raw: string): number {
  const text = raw.trim().toLowerCase();
  if (text === "default") return NICE_RATIO_DEFAULT;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value <= 100)) {
    throw new UsageError(
      `--nice-ratio expects a number from 0 to 100 (rest that many times each batch's duration), or default, got '${raw}'`,
    );
  }
  return value;
}

/**
 * `--max-lag`, `--target-batch-seconds` and `--nice-ratio`, which `run` and `tune` share; `target` says
 * what the flag sets.
 */
export function addRunSettingOptions(command: Command, target: string): Command {
  return command
    .option(
      "--max-lag <seconds>",
      "this run's replica-lag line, in place of BACKFILL_MAX_REPLICA_LAG_SECONDS",
      parseMaxLag,
    )
    .option(
      "--target-batch-seconds <s>",
      `how long a batch should take: ${target} (0 or off: keep the size)`,
      parseTargetBatchSeconds,
    )
    .option(
      "--nice-ratio <n>",
      "after each batch, its worker slot rests n times the batch's duration, in place of BACKFILL_NICE_RATIO (default: the variable's)",
      parseNiceRatio,
    );
}
