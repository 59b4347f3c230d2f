import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { ScheduleSpec } from "../queue/backfill-queues.js";
import { logEvent } from "../log-events/log-event.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT } from "./command-runner.js";
import { addWindowOptions, parseWindowFlags, type WindowFlags } from "./window-options.js";

interface ScheduleOptions extends WindowFlags {
  every?: string;
  cron?: string;
  remove?: boolean;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` → milliseconds; at least a minute apart would be wise, 10 s is the floor. */
export function parseEvery(raw: string): number {
  const match = /^(\d+)\s*([smhd])$/.exec(raw.trim());
  if (!match) throw new UsageError(`--every expects a duration such as 30s, 10m, 2h or 1d, got '${raw}'`);
  const ms = Number(match[1]) * (UNITS[match[2] ?? "m"] ?? 60_000);
  if (ms < 10_000) throw new UsageError(`--every must be at least 10s, got '${raw}'`);
  return ms;
}

export function registerScheduleCommand(program: Command): void {
  const command = program
    .command("schedule")
    .description(
      "Install (or replace) the periodic run: each tick starts a run over the tags not mapped yet unless one " +
        "is active; `backfill worker` processes the ticks. Without options, show the current schedule.",
    )
    .option("--every <duration>", "a tick every 30s, 10m, 2h, 1d, …")
    .option("--cron <expression>", 'a tick on a cron pattern, e.g. "0 */2 * * *"')
    .option("--remove", "remove the schedule");
  addWindowOptions(command).action(action((opts: ScheduleOptions) => scheduleCommand(opts)));
}

async function scheduleCommand(opts: ScheduleOptions): Promise<number> {
  const given = [opts.every, opts.cron, opts.remove].filter((v) => v !== undefined).length;
  if (given > 1) throw new UsageError("give one of --every, --cron or --remove");
  let spec: ScheduleSpec | undefined;
  if (opts.every !== undefined) spec = { every: parseEvery(opts.every) };
  if (opts.cron !== undefined) {
    if (opts.cron.trim().split(/\s+/).length < 5) {
      throw new UsageError(`--cron expects a 5- or 6-field cron pattern, got '${opts.cron}'`);
    }
    spec = { pattern: opts.cron.trim() };
  }
  const window = parseWindowFlags(opts);
  if (window && !spec)
    throw new UsageError("--window goes with --every or --cron (the runs it starts get it)");
  const rt = openRuntime();
  const logger = rt.logger;
  try {
    const queues = await rt.queues({ check: true });
    if (opts.remove) {
      const { removed, pendingTicks } = await queues.removeSchedule();
      logEvent(
        logger,
        "info",
        "schedule.removed",
        { removed, pendingTicks },
        removed ? "schedule removed" : "no schedule to remove",
      );
      const ticks = pendingTicks > 0 ? `; ${pendingTicks} pending tick(s) removed` : "";
      process.stdout.write(`${removed ? "schedule removed" : "there was no schedule"}${ticks}\n`);
      return EXIT.ok;
    }
    if (spec) {
      try {
        await queues.upsertSchedule(spec, window ? { window: window.window, timeZone: window.zone } : {});
      } catch (err) {
        throw new UsageError(`the schedule was refused: ${err instanceof Error ? err.message : String(err)}`);
      }
      logEvent(logger, "info", "schedule.updated", { ...spec, ...(window ?? {}) }, "schedule installed");
    }
    const current = await queues.describeSchedule();
    if (!current) {
      process.stdout.write("no schedule: `backfill schedule --every 10m` installs one\n");
    } else {
      const when =
        current.pattern !== undefined
          ? `cron "${current.pattern}"`
          : `every ${String((current.every ?? 0) / 1000)}s`;
      const next = current.next !== undefined ? `, next tick ${new Date(current.next).toISOString()}` : "";
      const hours =
        current.window !== undefined ? `, runs work ${current.window} ${current.timeZone ?? "UTC"}` : "";
      process.stdout.write(`schedule: ${when}${next}${hours} (ticks are processed by \`backfill worker\`)\n`);
    }
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}
