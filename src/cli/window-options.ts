import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { formatWindow, parseWindow } from "../run/time-window.js";

/** A run's time window as stored (backfill.run.time_window, time_zone). */
export interface WindowSetting {
  window: string;
  zone: string;
}

export interface WindowFlags {
  /** false from `--no-window` (tune only). */
  window?: string | false;
  timeZone?: string;
}

/** `--window HH:MM-HH:MM` and `--time-zone NAME`, for `run`, `schedule` and `tune`. */
export function addWindowOptions(command: Command): Command {
  return command
    .option(
      "--window <HH:MM-HH:MM>",
      "work only inside this daily window of local time (may cross midnight, e.g. 22:00-06:00); outside it " +
        "the run is throttled with reason `window …`",
    )
    .option("--time-zone <name>", "the IANA time zone of --window, e.g. Europe/Berlin (default UTC)");
}

/**
 * The window the flags ask for: undefined when none is given, null for `--no-window`. A malformed or
 * empty window, an unknown zone, or a zone without a window is a UsageError naming the value.
 */
export function parseWindowFlags(flags: WindowFlags): WindowSetting | null | undefined {
  if (flags.window === false) {
    if (flags.timeZone !== undefined) throw new UsageError("give --no-window or --time-zone, not both");
    return null;
  }
  if (flags.window === undefined) {
    if (flags.timeZone !== undefined) {
      throw new UsageError(`--time-zone '${flags.timeZone}' needs --window HH:MM-HH:MM`);
    }
    return undefined;
  }
  const parsed = parseWindow(flags.window, flags.timeZone ?? "UTC");
  return { window: formatWindow(parsed), zone: parsed.zone };
}
